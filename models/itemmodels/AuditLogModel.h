// The event log straight from SQLite: counted, searched, sorted and paged by queries, never loaded whole.
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QSqlDatabase>
#include <QVector>

namespace lapse
{

class AuditLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Seq, Time, Type, Actor, Subject, Summary, Hash, ColumnCount };

    explicit AuditLogModel(const QString& sqliteFile, QObject* parent = nullptr);
    ~AuditLogModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    void sort(int column, Qt::SortOrder order) override;

    void setSearch(const QString& text);
    void refresh();
    qint64 totalCount() const { return m_count; }
    void verifyChain();

signals:
    void chainVerified(bool ok, qint64 seq, const QString& message);

private:
    struct Row {
        qint64 seq, ts;
        QString type, actor, subject, summary;
        QByteArray hash;
    };
    const Row* row(int r) const;
    QString where() const;
    void recount();

    QString m_connection;
    QSqlDatabase m_db;
    QString m_search;
    int m_sortColumn = Seq;
    Qt::SortOrder m_order = Qt::DescendingOrder;
    qint64 m_count = 0;
    mutable QHash<int, QVector<Row>> m_pages;
    static constexpr int kPage = 256;
};

} // namespace lapse
