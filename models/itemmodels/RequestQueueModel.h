// The approver's queue: every pending request, loaded through the backend and kept current from events.
#pragma once

#include "LiveTableModel.h"
#include "PrincipalIndex.h"

#include <QByteArrayList>
#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <memory>
#include <vector>

namespace lapse
{

class Backend;

class RequestQueueModel : public LiveTableModel
{
    Q_OBJECT
public:
    enum Column {
        Requester,
        Kind,
        Owner,
        Target,
        Privileges,
        Width,
        Task,
        Reason,
        Ticket,
        Ttl,
        Waiting,
        ExpiresIn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        IdRole = Qt::UserRole + 1,
        JsonRole, // QJsonObject: the request as the API returns it
        KindRole, // the requester's kind: human, service, workload, agent, pipeline
        SortRole, // a raw value (number, epoch ms, text) to sort on
        ExcessRole, // int: requested privileges beyond the declared minimum; -1 when none was declared; the
                    // view makes an excess stand out
    };

    // What QueueFilterProxy filters by, prepared once per change rather than once per row.
    struct Filter {
        QString target; // exact match when not empty
        QString kind; // exact match when not empty
        QByteArrayList terms; // case-folded UTF-8 words that must all occur in the searchable fields
        // Whitespace-separated words, matched case-insensitively.
        static QByteArrayList termsOf(const QString& text);
        // Every row this filter accepts is also accepted by other.
        bool narrows(const Filter& other) const;
    };

    explicit RequestQueueModel(Backend* backend, QObject* parent = nullptr);
    ~RequestQueueModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QJsonObject requestAt(int row) const;
    int rowOf(const QString& id) const; // -1 when not in the queue
    // Items per API page while loading (1..1000, the API's limit); smaller pages only serve tests.
    void setPageSize(int items) { m_pageSize = qBound(1, items, 1000); }

    // Fast paths for QueueFilterProxy, on typed keys computed once per row: numbers and times compare as
    // numbers, text by collation key (the locale's order, ignoring case, numbers in text by value).
    // <0, 0 or >0 as the left row sorts before, with or after the right one.
    int compareRows(int column, int leftRow, int rightRow) const;
    bool rowLessThan(int column, int leftRow, int rightRow) const
    {
        return compareRows(column, leftRow, rightRow) < 0;
    }
    // Sorts source rows by column; rows with equal keys keep ascending row order in either direction.
    void sortRows(int column, Qt::SortOrder order, std::vector<int>& rows) const;
    // terms must all occur in requester, owner, target, task, reason, ticket or privileges.
    bool rowMatches(int row, const Filter& filter) const;

public slots:
    // Loads every pending request, paging through the API; events arriving meanwhile are applied after.
    void reload();
    void setDirectory(const QJsonObject& directory);
    // Time moved: Waiting and ExpiresIn change for every row (their display only, not their order).
    void tick();

protected:
    // Requests that left pending go, new ones come, changed ones are updated in place.
    void applyLive(const QList<Event>& events) override;
    void dropStaging() override { m_pages.clear(); } // a previous load's decoders finish on their own data

public:
    struct Row; // public for the decoder, which builds rows off the GUI thread
    class RowMaker;

private:
    // Each row's search text lives in a few large buffers, side by side in row order, so a filter pass reads
    // memory in order instead of chasing a pointer per row.
    struct SearchText {
        const char* data = nullptr;
        qsizetype size = 0;
    };
    struct Decoded {
        std::vector<std::unique_ptr<Row>> rows;
        QByteArray texts; // the rows' search texts, one after the other
        std::vector<qsizetype> ends; // where each row's text ends in texts
    };
    struct Page {
        QFuture<void> done;
        std::shared_ptr<Decoded> decoded;
        quint64 directoryVersion = 0;
    };
    SearchText storeSearchText(const QByteArray& text); // copies into the newest buffer
    void rebuildSearchTexts(); // one buffer, the rows' texts in row order, garbage dropped
    void fetchPage(const QString& after, quint64 generation);
    void showLoaded();
    void renumber() const;
    void waitForKeys() const;
    void retire(std::unique_ptr<Row> row);
    static QJsonObject toJson(const Row& r);
    QVariant display(const Row& r, int column) const;
    QVariant sortValue(const Row& r, int column) const;

    Backend* m_backend;
    PrincipalIndex m_principals;
    quint64 m_directoryVersion = 0;
    std::unique_ptr<RowMaker> m_maker; // for rows made on the GUI thread (live events)
    std::vector<std::unique_ptr<Row>> m_rows;
    std::vector<SearchText> m_search; // per row, into m_texts
    std::vector<QByteArray> m_texts; // buffers, never reallocated once written to (the pointers stay valid)
    qsizetype m_textBytes = 0; // in all buffers
    qsizetype m_liveTextBytes = 0; // of rows still in the queue
    bool m_appendable = false; // m_texts.back() was reserved here for appending
    int m_sortedPrefix = 0; // m_rows[0, m_sortedPrefix) are in ascending id order
    QHash<QString, Row*> m_tail; // id -> row for the rest; each row knows its number
    mutable int m_renumberFrom = 0; // rows from here on may carry stale numbers (rows before them went)

    int m_pageSize = 1000;
    std::vector<Page> m_pages; // pages of the load under way, decoding on worker threads
    mutable QFuture<void> m_keying; // the free-text collation keys of the loaded rows, made on a worker
    std::vector<std::unique_ptr<Row>> m_graveyard; // rows replaced or removed while m_keying runs
};

} // namespace lapse
