// The event log as a table that stays fast at millions of rows: counted, paged, sorted and searched in
// SQLite.
#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QFutureWatcher>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

#include <functional>
#include <memory>

namespace lapse
{

class AuditLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Seq, Time, Type, Actor, Subject, Summary, Hash, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        SeqRole = Qt::UserRole + 1, // qint64
        EventJsonRole, // QJsonObject: the event with its body as an object
    };

    // sqliteFile: the engine's store or any file with the same events table. Opened for reading only.
    explicit AuditLogModel(const QString& sqliteFile, QObject* parent = nullptr);
    ~AuditLogModel() override;

    bool isOpen() const { return m_open; }
    QString errorString() const { return m_error; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // Seq, Time, Type, Actor and Subject sort in SQL (indexed); Summary and Hash sort by sequence.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    int totalCount() const { return m_count; }
    qint64 lastSeq() const { return m_maxSeq; }
    QString search() const { return m_search; }
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_order; }
    // The row showing this sequence number under the current sort and search, -1 if none.
    int rowOfSeq(qint64 seq) const;

public slots:
    // Whitespace-separated words that must all occur in the type, actor, subject or body.
    void setSearch(const QString& text);
    // Shows events appended since the last look, keeping rows, selection and scroll position.
    void refresh();
    // Walks the whole hash chain on a worker thread; chainVerified reports the outcome.
    void verifyChain();

signals:
    void chainVerified(bool ok, qint64 checkedUpTo, const QString& reason);
    void errorOccurred(const QString& message);

private:
    struct Entry {
        qint64 seq = 0;
        qint64 ts = 0;
        QString type;
        QString actor;
        QString subject;
        QByteArray body;
        QByteArray hash;
        QVariant key; // the sort column's value, for keyset paging from this row
        mutable QString summary; // built on first display
    };
    struct Window {
        int start = 0;
        QList<Entry> rows;
    };

    const Entry* entry(int row) const;
    const Window* window(int start) const;
    QList<Entry> fetchWindow(int start) const;
    QList<Entry> runQuery(const QString& sql, const QVariantList& binds) const;
    QString keyColumn() const;
    QString whereClause(QVariantList* binds) const;
    qint64 countWhere(const QString& extra, const QVariantList& extraBinds) const;
    qint64 countWhereNow(const QString& extra, const QVariantList& extraBinds) const; // inside inSnapshot
    void inSnapshot(const std::function<void()>& fn) const;
    qint64 rankOf(const QVariant& key, qint64 seq) const; // rows before (key, seq) under the current order
    void recount();
    void invalidateCache() const;
    QString summaryOf(const Entry& e) const;
    void fail(const QString& message) const;

    QString m_file;
    QString m_connection;
    bool m_open = false;
    QString m_error;
    int m_count = 0;
    qint64 m_maxSeq = 0; // newest event the model counted
    bool m_dense = false; // seq runs without gaps from m_minSeq (no search): rows map to seqs directly
    qint64 m_minSeq = 0;
    int m_sortColumn = Seq;
    Qt::SortOrder m_order = Qt::AscendingOrder;
    QString m_search;
    QStringList m_terms;
    mutable QList<Window> m_cache; // most recently used first
    mutable int m_snapshotDepth = 0;
    mutable bool m_headCurrent = false; // within a snapshot: no event newer than m_maxSeq exists
    QFutureWatcher<void> m_verify;
    struct VerifyOutcome {
        bool ok = false;
        qint64 upTo = 0;
        QString reason;
    };
    std::shared_ptr<VerifyOutcome> m_verifyOutcome;
};

} // namespace lapse
