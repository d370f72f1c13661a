// Pending requests as a table: compact typed rows decoded off the GUI thread, sort keys and a search text
// made once per row, an id -> row index, and updates that announce only what changed.
#include "RequestQueueModel.h"

#include "TimeFormat.h"
#include "backend/Backend.h"
#include "core/Clock.h"

#include <QCollator>
#include <QJsonArray>
#include <QLocale>
#include <QPointer>
#include <QtConcurrent>
#include <algorithm>
#include <optional>
#include <string.h>
#include <string_view>
#include <utility>

namespace lapse
{

namespace
{

constexpr size_t kPagesInFlight = 4;

bool isTextColumn(int column)
{
    return column >= 0 && column < RequestQueueModel::ColumnCount && column != RequestQueueModel::Width
        && column != RequestQueueModel::Ttl && column != RequestQueueModel::Waiting
        && column != RequestQueueModel::ExpiresIn;
}

// Free text, unique to nearly every row: its collation key is made once per row. The other text columns
// repeat a few values, which are ranked when sorted.
bool isFreeText(int column)
{
    return column == RequestQueueModel::Reason || column == RequestQueueModel::Ticket;
}

// Qt collates the C locale by code point, which would sort "CHG-10" before "chg-9": a console started without
// a locale sorts as in English instead.
QLocale collationLocale()
{
    const QLocale system;
    return system.language() == QLocale::C ? QLocale(QLocale::English, QLocale::UnitedStates) : system;
}

// Substring search for short needles in short texts; QByteArray::contains is several times slower here.
bool contains(const char* haystack, qsizetype size, const QByteArray& needle)
{
#ifdef __GLIBC__
    return memmem(haystack, size_t(size), needle.constData(), size_t(needle.size())) != nullptr;
#else
    return std::string_view(haystack, size_t(size))
               .find(std::string_view(needle.constData(), size_t(needle.size())))
        != std::string_view::npos;
#endif
}

QCollator queueCollator()
{
    QCollator c(collationLocale());
    c.setCaseSensitivity(Qt::CaseInsensitive);
    c.setNumericMode(true); // CHG-9 before CHG-10
    return c;
}

// Appends s case-folded as UTF-8: ASCII directly, the rest through QString's folding.
void appendFolded(QByteArray& out, const QString& s)
{
    const QChar* p = s.constData();
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char16_t c = p[i].unicode();
        if (c >= 0x80) {
            out += QStringView(s).mid(i).toString().toCaseFolded().toUtf8();
            return;
        }
        out += char(c >= u'A' && c <= u'Z' ? c + (u'a' - u'A') : c);
    }
}

} // namespace

struct RequestQueueModel::Row {
    QString id;
    QString requester;
    QString kind;
    QString owner;
    QString target;
    QString privileges; // "read, write"
    QString minPrivileges; // "read", empty when not declared
    QString task;
    QString reason;
    QString ticket;
    // The searchable fields case-folded, as UTF-8, one per line: a search word never spans two of them. Only
    // until the model moves it into its search buffers (see SearchText).
    QByteArray haystack;
    // Collation keys of the free-text columns: comparing them is a byte comparison.
    std::optional<QCollatorSortKey> reasonKey;
    std::optional<QCollatorSortKey> ticketKey;
    int width = 0;
    int excess = -1;
    int ttl = 0;
    bool breakGlass = false;
    bool hasMinimum = false;
    int approvalsRequired = 1;
    qint64 createdMs = 0;
    qint64 expiresMs = 0;
    QJsonArray approvals; // partial approvals of a quorum; usually empty
    mutable int row = 0; // its place in m_rows; see m_renumberFrom

    const QString& text(int column) const
    {
        static const QString none;
        switch (column) {
        case Requester:
            return requester;
        case Kind:
            return kind;
        case Owner:
            return owner;
        case Target:
            return target;
        case Privileges:
            return privileges;
        case Task:
            return task;
        case Reason:
            return reason;
        case Ticket:
            return ticket;
        }
        return none;
    }

    qint64 number(int column) const
    {
        switch (column) {
        case Width:
            return qint64(width) * 1000 + qMax(0, excess);
        case Ttl:
            return ttl;
        case Waiting:
            return -createdMs; // the same order as now - created, without moving while time does
        case ExpiresIn:
            return expiresMs;
        }
        return 0;
    }
};

// Builds rows from the API's JSON. One per thread: the collator and the caches are not shared.
class RequestQueueModel::RowMaker
{
public:
    explicit RowMaker(const PrincipalIndex& principals)
        : m_principals(principals)
        , m_collator(queueCollator())
    {
    }

    void setPrincipals(const PrincipalIndex& principals) { m_principals = principals; }

    // keys: the free-text collation keys too; a load leaves them to a later pass (see showLoaded).
    std::unique_ptr<Row> make(const QJsonObject& json, bool keys = true)
    {
        return make(AccessRequest::fromJson(json), keys);
    }

    std::unique_ptr<Row> make(const AccessRequest& request, bool keys = true)
    {
        auto r = std::make_unique<Row>();
        r->id = request.id;
        r->requester = intern(request.requester);
        r->target = intern(request.target);
        r->privileges = intern(request.privileges.join(QLatin1String(", ")));
        r->width = int(request.privileges.size());
        if (request.minPrivileges) {
            r->minPrivileges = intern(request.minPrivileges->join(QLatin1String(", ")));
            r->hasMinimum = true;
            r->excess = 0;
            for (const auto& p : request.privileges)
                r->excess += request.minPrivileges->contains(p) ? 0 : 1;
        }
        r->task = intern(request.task);
        r->reason = request.reason;
        r->ticket = request.ticket;
        r->ttl = request.ttlSeconds;
        r->breakGlass = request.breakGlass;
        r->createdMs = request.createdMs;
        r->expiresMs = request.expiresMs;
        for (const auto& a : request.approvals)
            r->approvals.append(a.toJson());
        r->approvalsRequired = request.approvalsRequired;
        if (keys) {
            r->reasonKey = m_collator.sortKey(r->reason);
            r->ticketKey = m_collator.sortKey(r->ticket);
        }
        applyPrincipals(*r);
        return r;
    }

    // Kind and owner come from the directory, which can change under loaded rows.
    void applyPrincipals(Row& r)
    {
        const PrincipalIndex::Entry who = m_principals.entry(r.requester);
        r.kind = intern(who.kind);
        r.owner = intern(who.owner);
        const QByteArray& requester = folded(r.requester);
        const QByteArray& owner = folded(r.owner);
        const QByteArray& target = folded(r.target);
        const QByteArray& task = folded(r.task);
        const QByteArray& privileges = folded(r.privileges);
        QByteArray search;
        search.reserve(requester.size() + owner.size() + target.size() + task.size() + privileges.size()
            + r.reason.size() + r.ticket.size() + 7);
        for (const QByteArray* field : {&requester, &owner, &target, &task})
            search.append(*field).append('\n');
        appendFolded(search, r.reason);
        search.append('\n');
        appendFolded(search, r.ticket);
        search.append('\n').append(privileges).append('\n');
        r.haystack = search;
    }

    // Values that repeat (requesters, targets...) have their key cached.
    QCollatorSortKey key(const QString& s)
    {
        auto it = m_keys.constFind(s);
        if (it != m_keys.cend())
            return *it;
        if (m_keys.size() > 50'000)
            m_keys.clear(); // a bound, should values stop repeating
        return *m_keys.insert(s, m_collator.sortKey(s));
    }

    // Repeating values fold once.
    const QByteArray& folded(const QString& s)
    {
        auto it = m_folded.constFind(s);
        if (it != m_folded.cend())
            return *it;
        if (m_folded.size() > 50'000)
            m_folded.clear();
        QByteArray f;
        appendFolded(f, s);
        return *m_folded.insert(s, f);
    }

    QString intern(const QString& s)
    {
        // Requesters, targets, tasks and privilege sets repeat across a large queue: one copy each.
        if (s.isEmpty())
            return s;
        auto it = m_strings.constFind(s);
        if (it != m_strings.cend())
            return *it;
        if (m_strings.size() > 50'000)
            m_strings.clear();
        m_strings.insert(s, s);
        return s;
    }

private:
    PrincipalIndex m_principals;
    QCollator m_collator;
    QHash<QString, QString> m_strings;
    QHash<QString, QCollatorSortKey> m_keys;
    QHash<QString, QByteArray> m_folded;
};

QByteArrayList RequestQueueModel::Filter::termsOf(const QString& text)
{
    QByteArrayList out;
    for (const QString& word : text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts))
        out << word.toCaseFolded().toUtf8();
    return out;
}

bool RequestQueueModel::Filter::narrows(const Filter& other) const
{
    // Stricter or equal on every count: the same exact filters (or other has none), and each of other's words
    // inside one of ours, so a row holding our words holds its too.
    if (!other.target.isEmpty() && other.target != target)
        return false;
    if (!other.kind.isEmpty() && other.kind != kind)
        return false;
    for (const QByteArray& word : other.terms) {
        const bool covered = std::any_of(
            terms.cbegin(), terms.cend(), [&word](const QByteArray& mine) { return mine.contains(word); });
        if (!covered)
            return false;
    }
    return true;
}

RequestQueueModel::RequestQueueModel(Backend* backend, QObject* parent)
    : LiveTableModel(parent)
    , m_backend(backend)
    , m_maker(std::make_unique<RowMaker>(m_principals))
{
}

RequestQueueModel::~RequestQueueModel()
{
    m_keying.waitForFinished();
}

void RequestQueueModel::waitForKeys() const
{
    m_keying.waitForFinished();
}

void RequestQueueModel::retire(std::unique_ptr<Row> row)
{
    // The keying pass may still write to this row: it is destroyed once that is over.
    if (!m_keying.isFinished())
        m_graveyard.push_back(std::move(row));
}

QJsonObject RequestQueueModel::toJson(const Row& r)
{
    // The request as the API returns it (AccessRequest::toJson), rebuilt from the row: keeping every
    // row's JSON object would cost more memory than the rest of the row.
    const auto list = [](const QString& joined) {
        return QJsonArray::fromStringList(
            joined.isEmpty() ? QStringList() : joined.split(QLatin1String(", ")));
    };
    return QJsonObject {
        {"id", r.id},
        {"requester", r.requester},
        {"target", r.target},
        {"privileges", list(r.privileges)},
        {"min_privileges", r.hasMinimum ? QJsonValue(list(r.minPrivileges)) : QJsonValue()},
        {"task", r.task},
        {"reason", r.reason},
        {"ticket", r.ticket},
        {"ttl_seconds", r.ttl},
        {"break_glass", r.breakGlass},
        {"status", QStringLiteral("pending")},
        {"created_at", r.createdMs ? QJsonValue(Clock::toIso(r.createdMs)) : QJsonValue()},
        {"expires_at", r.expiresMs ? QJsonValue(Clock::toIso(r.expiresMs)) : QJsonValue()},
        {"decided_at", QJsonValue()},
        {"decided_by", QJsonValue()},
        {"approvals", r.approvals},
        {"approvals_required", r.approvalsRequired},
    };
}

int RequestQueueModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RequestQueueModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RequestQueueModel::display(const Row& r, int column) const
{
    switch (column) {
    case Requester:
        return r.requester;
    case Kind:
        return r.kind;
    case Owner:
        return r.owner;
    case Target:
        return r.target;
    case Privileges:
        return r.privileges;
    case Width:
        return r.excess > 0 ? tr("%1 (+%2)").arg(r.width).arg(r.excess) : QString::number(r.width);
    case Task:
        return r.task;
    case Reason:
        return r.reason;
    case Ticket:
        return r.ticket;
    case Ttl:
        return timefmt::duration(qint64(r.ttl) * 1000);
    case Waiting:
        return timefmt::duration(qMax<qint64>(0, Clock::now() - r.createdMs));
    case ExpiresIn: {
        const qint64 left = r.expiresMs - Clock::now();
        return left > 0 ? timefmt::duration(left) : tr("due");
    }
    }
    return {};
}

QVariant RequestQueueModel::sortValue(const Row& r, int column) const
{
    switch (column) {
    case Width:
        return r.width * 1000 + qMax(0, r.excess);
    case Ttl:
        return r.ttl;
    case Waiting:
        return -r.createdMs; // the same order as now - created, without moving while time does
    case ExpiresIn:
        return r.expiresMs;
    default:
        return display(r, column);
    }
}

QVariant RequestQueueModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = *m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return display(r, index.column());
    case Qt::ToolTipRole:
        if (index.column() == Privileges || index.column() == Width)
            return r.excess < 0 ? tr("No minimum declared") : tr("Minimum needed: %1").arg(r.minPrivileges);
        if (index.column() == Reason || index.column() == Task)
            return display(r, index.column());
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= Width && index.column() != Task && index.column() != Reason
            && index.column() != Ticket)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case IdRole:
        return r.id;
    case JsonRole:
        return toJson(r);
    case KindRole:
        return r.kind;
    case SortRole:
        return sortValue(r, index.column());
    case ExcessRole:
        return r.excess;
    }
    return {};
}

QVariant RequestQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Requester:
        return tr("Requester");
    case Kind:
        return tr("Kind");
    case Owner:
        return tr("Owner");
    case Target:
        return tr("Target");
    case Privileges:
        return tr("Privileges");
    case Width:
        return tr("Width");
    case Task:
        return tr("Task");
    case Reason:
        return tr("Reason");
    case Ticket:
        return tr("Ticket");
    case Ttl:
        return tr("TTL");
    case Waiting:
        return tr("Waiting");
    case ExpiresIn:
        return tr("Expires in");
    }
    return {};
}

QHash<int, QByteArray> RequestQueueModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(IdRole, "id");
    names.insert(JsonRole, "json");
    names.insert(KindRole, "kind");
    names.insert(SortRole, "sort");
    names.insert(ExcessRole, "excess");
    return names;
}

QJsonObject RequestQueueModel::requestAt(int row) const
{
    if (row < 0 || row >= int(m_rows.size()))
        return {};
    return toJson(*m_rows[size_t(row)]);
}

void RequestQueueModel::renumber() const
{
    for (size_t i = size_t(m_renumberFrom); i < m_rows.size(); ++i)
        m_rows[i]->row = int(i);
    m_renumberFrom = int(m_rows.size());
}

int RequestQueueModel::rowOf(const QString& id) const
{
    // The loaded rows come in id order: a binary search finds them, and only rows that arrived out of order
    // later need the hash.
    const auto end = m_rows.begin() + m_sortedPrefix;
    const auto it = std::lower_bound(
        m_rows.begin(), end, id, [](const std::unique_ptr<Row>& r, const QString& x) { return r->id < x; });
    if (it != end && (*it)->id == id)
        return int(it - m_rows.begin());
    const auto tail = m_tail.constFind(id);
    if (tail == m_tail.cend())
        return -1;
    if (m_renumberFrom < int(m_rows.size()))
        renumber();
    return (*tail)->row;
}

int RequestQueueModel::compareRows(int column, int leftRow, int rightRow) const
{
    const Row& a = *m_rows[size_t(leftRow)];
    const Row& b = *m_rows[size_t(rightRow)];
    if (column == Reason || column == Ticket)
        waitForKeys();
    if (column == Reason)
        return a.reasonKey->compare(*b.reasonKey);
    if (column == Ticket)
        return a.ticketKey->compare(*b.ticketKey);
    if (isTextColumn(column)) {
        const QString& x = a.text(column);
        const QString& y = b.text(column);
        return x.constData() == y.constData() ? 0 : m_maker->key(x).compare(m_maker->key(y));
    }
    const qint64 x = a.number(column), y = b.number(column);
    return x < y ? -1 : x > y ? 1 : 0;
}

void RequestQueueModel::sortRows(int column, Qt::SortOrder order, std::vector<int>& rows) const
{
    // The keys are gathered into one array first, so the sort touches neither rows nor QVariants.
    const bool asc = order == Qt::AscendingOrder;
    if (isFreeText(column)) {
        waitForKeys();
        std::vector<std::pair<const QCollatorSortKey*, int>> keyed;
        keyed.reserve(rows.size());
        for (int row : rows) {
            const Row& r = *m_rows[size_t(row)];
            keyed.emplace_back(column == Reason ? &*r.reasonKey : &*r.ticketKey, row);
        }
        const auto less = [asc](const auto& x, const auto& y) {
            const int c = x.first->compare(*y.first);
            return c != 0 ? (asc ? c < 0 : c > 0) : x.second < y.second;
        };
        // Comparing collation keys is the slow part of any sort here: a large one sorts its halves on two
        // threads and merges them.
        if (keyed.size() > 20'000) {
            const auto middle = keyed.begin() + qsizetype(keyed.size() / 2);
            QFuture<void> half = QtConcurrent::run([&] { std::sort(keyed.begin(), middle, less); });
            std::sort(middle, keyed.end(), less);
            half.waitForFinished();
            std::inplace_merge(keyed.begin(), middle, keyed.end(), less);
        } else {
            std::sort(keyed.begin(), keyed.end(), less);
        }
        for (size_t i = 0; i < rows.size(); ++i)
            rows[i] = keyed[i].second;
        return;
    }
    if (column < 0 || column >= ColumnCount) {
        std::sort(rows.begin(), rows.end());
        return;
    }
    std::vector<std::pair<qint64, int>> keyed;
    keyed.reserve(rows.size());
    if (isTextColumn(column)) {
        // Repeating values: each distinct one (told apart by its interned data first) is ranked by collation
        // once, and the rows sort on their value's rank.
        QHash<const QChar*, qint64> rankOf;
        std::vector<std::pair<QCollatorSortKey, const QChar*>> distinct;
        for (int row : rows) {
            const QString& text = m_rows[size_t(row)]->text(column);
            if (rankOf.contains(text.constData()))
                continue;
            rankOf.insert(text.constData(), 0);
            distinct.emplace_back(m_maker->key(text), text.constData());
        }
        std::sort(distinct.begin(), distinct.end(),
            [](const auto& x, const auto& y) { return x.first.compare(y.first) < 0; });
        qint64 rank = 0;
        for (size_t i = 0; i < distinct.size(); ++i) {
            if (i > 0 && distinct[i].first.compare(distinct[i - 1].first) != 0)
                ++rank;
            rankOf[distinct[i].second] = rank;
        }
        for (int row : rows)
            keyed.emplace_back(rankOf.value(m_rows[size_t(row)]->text(column).constData()), row);
    } else {
        for (int row : rows)
            keyed.emplace_back(m_rows[size_t(row)]->number(column), row);
    }
    if (asc)
        std::sort(keyed.begin(), keyed.end());
    else
        std::sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) {
            return x.first != y.first ? x.first > y.first : x.second < y.second;
        });
    for (size_t i = 0; i < rows.size(); ++i)
        rows[i] = keyed[i].second;
}

bool RequestQueueModel::rowMatches(int row, const Filter& filter) const
{
    const Row& r = *m_rows[size_t(row)];
    if (!filter.target.isEmpty() && r.target != filter.target)
        return false;
    if (!filter.kind.isEmpty() && r.kind != filter.kind)
        return false;
    const SearchText& text = m_search[size_t(row)];
    for (const QByteArray& term : filter.terms)
        if (!contains(text.data, text.size, term))
            return false;
    return true;
}

void RequestQueueModel::reload()
{
    if (!m_backend) {
        emit loadFailed(tr("No backend to load the queue from."));
        return;
    }
    fetchPage(QString(), startLoad());
}

void RequestQueueModel::fetchPage(const QString& after, quint64 generation)
{
    QPointer<RequestQueueModel> self(this);
    m_backend->requestPage(
        QStringLiteral("pending"), after, m_pageSize, [self, generation](const Result<RequestPage>& r) {
            if (!self || !self->isCurrentLoad(generation))
                return; // gone, or a newer reload took over
            if (!r)
                return self->failLoad(tr("Could not load the queue: %1").arg(r.error().message));
            const QList<AccessRequest> items = r->items;
            const QString next = r->nextAfter;
            // Rows are decoded on a worker while this thread asks for the next page: the load takes about as
            // long as the pages alone.
            Page p;
            p.decoded = std::make_shared<Decoded>();
            p.directoryVersion = self->m_directoryVersion;
            p.done = QtConcurrent::run([out = p.decoded, items, principals = self->m_principals] {
                RowMaker maker(principals);
                out->rows.reserve(size_t(items.size()));
                out->ends.reserve(size_t(items.size()));
                for (const AccessRequest& request : items) {
                    // The server filtered by status; a row not pending here would be a server bug, not shown.
                    if (request.status != RequestStatus::Pending)
                        continue;
                    out->rows.push_back(maker.make(request, false));
                    QByteArray& text = out->rows.back()->haystack;
                    out->texts += text;
                    out->ends.push_back(out->texts.size());
                    text = QByteArray();
                }
            });
            self->m_pages.push_back(std::move(p));
            // A few pages in flight at most: a busy worker holds back the next request rather than letting
            // parsed pages pile up (waiting on a page not yet started decodes it here).
            for (size_t i = 0; i + kPagesInFlight < self->m_pages.size(); ++i)
                self->m_pages[i].done.waitForFinished();
            if (!next.isEmpty() && !items.isEmpty())
                self->fetchPage(next, generation);
            else
                self->showLoaded();
        });
}

void RequestQueueModel::showLoaded()
{
    size_t total = 0;
    bool stale = false;
    for (Page& p : m_pages) {
        p.done.waitForFinished();
        total += p.decoded->rows.size();
        stale = stale || p.directoryVersion != m_directoryVersion;
    }
    std::vector<std::unique_ptr<Row>> rows;
    std::vector<SearchText> search;
    std::vector<QByteArray> texts;
    rows.reserve(total);
    search.reserve(total);
    qsizetype textBytes = 0;
    for (Page& p : m_pages) {
        Decoded& d = *p.decoded;
        std::move(d.rows.begin(), d.rows.end(), std::back_inserter(rows));
        qsizetype from = 0;
        for (qsizetype end : d.ends) {
            search.push_back({d.texts.constData() + from, end - from});
            from = end;
        }
        textBytes += d.texts.size();
        texts.push_back(std::move(d.texts));
    }
    m_pages.clear();
    size_t sorted = rows.empty() ? 0 : 1;
    while (sorted < rows.size() && rows[sorted - 1]->id < rows[sorted]->id)
        ++sorted;
    QHash<QString, Row*> tail;
    for (size_t i = 0; i < rows.size(); ++i) {
        rows[i]->row = int(i);
        if (i >= sorted)
            tail.insert(rows[i]->id, rows[i].get());
    }

    m_keying.waitForFinished(); // it may still write to the rows about to go
    m_graveyard.clear();

    beginResetModel();
    m_rows.swap(rows);
    m_search.swap(search);
    m_texts.swap(texts);
    m_appendable = false; // the pages' own buffers: new texts go to a fresh one
    m_textBytes = m_liveTextBytes = textBytes;
    m_tail.swap(tail);
    m_sortedPrefix = int(sorted);
    m_renumberFrom = int(m_rows.size());
    if (stale) { // the directory changed while pages were decoding
        for (auto& r : m_rows)
            m_maker->applyPrincipals(*r);
        rebuildSearchTexts();
    }
    endResetModel();
    // The free-text collation keys (a fifth of the decoding) are made after the rows are shown; only a sort
    // by reason or ticket waits for them, and rows replaced meanwhile are kept alive until they are done.
    std::vector<Row*> unkeyed;
    unkeyed.reserve(m_rows.size());
    for (const auto& r : m_rows)
        if (!r->reasonKey)
            unkeyed.push_back(r.get());
    m_keying = QtConcurrent::run([unkeyed = std::move(unkeyed)] {
        QCollator collator = queueCollator();
        for (Row* r : unkeyed) {
            r->reasonKey = collator.sortKey(r->reason);
            r->ticketKey = collator.sortKey(r->ticket);
        }
    });
    finishLoad();
}

void RequestQueueModel::applyLive(const QList<Event>& events)
{
    if (!m_graveyard.empty() && m_keying.isFinished())
        m_graveyard.clear();
    LatestById latest;
    for (const Event& e : events) {
        if (!e.type.startsWith(QLatin1String("request.")))
            continue;
        const QJsonObject body = e.bodyJson();
        QString id = body.value(QLatin1String("id")).toString();
        if (id.isEmpty())
            id = e.subject;
        if (id.isEmpty() || body.isEmpty())
            continue;
        latest.note(id, body);
    }
    if (latest.isEmpty())
        return;

    std::vector<int> removals;
    std::vector<int> changed;
    std::vector<std::unique_ptr<Row>> inserts;
    for (const QString& id : std::as_const(latest.order)) {
        const QJsonObject json = latest.json.value(id);
        const bool pending = json.value(QLatin1String("status")).toString() == QLatin1String("pending");
        const int row = rowOf(id);
        if (row >= 0 && pending) {
            // In place, a new row object at the same place.
            std::unique_ptr<Row> made = m_maker->make(json);
            Row& r = *made;
            r.row = row;
            if (row >= m_sortedPrefix)
                m_tail.insert(id, made.get());
            retire(std::exchange(m_rows[size_t(row)], std::move(made)));
            m_liveTextBytes -= m_search[size_t(row)].size;
            const QByteArray text = std::exchange(r.haystack, QByteArray());
            m_search[size_t(row)] = storeSearchText(text);
            changed.push_back(row);
        } else if (row >= 0) {
            removals.push_back(row);
        } else if (pending) {
            inserts.push_back(m_maker->make(json));
        }
    }

    announceRows(std::move(changed));

    if (!removals.empty()) {
        std::sort(removals.begin(), removals.end(), std::greater<int>());
        size_t i = 0;
        while (i < removals.size()) {
            // A run of adjacent rows goes in one beginRemoveRows.
            const int last = removals[i];
            int first = last;
            while (i + 1 < removals.size() && removals[i + 1] == first - 1)
                first = removals[++i];
            ++i;
            beginRemoveRows({}, first, last);
            for (int r = first; r <= last; ++r)
                if (r >= m_sortedPrefix)
                    m_tail.remove(m_rows[size_t(r)]->id);
            m_sortedPrefix -= qMax(0, qMin(last + 1, m_sortedPrefix) - first);
            for (int r = first; r <= last; ++r)
                retire(std::move(m_rows[size_t(r)]));
            m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
            for (int r = first; r <= last; ++r)
                m_liveTextBytes -= m_search[size_t(r)].size;
            m_search.erase(m_search.begin() + first, m_search.begin() + last + 1);
            // Rows after the run moved up; listeners of rowsRemoved may look rows up at once, and rowOf
            // renumbers them first.
            m_renumberFrom = qMin(m_renumberFrom, first);
            endRemoveRows();
        }
    }

    if (!inserts.empty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(inserts.size()) - 1);
        for (auto& r : inserts) {
            r->row = int(m_rows.size());
            // Newer ids are larger, so new rows usually extend the searchable prefix.
            if (m_sortedPrefix == int(m_rows.size()) && (m_rows.empty() || m_rows.back()->id < r->id))
                ++m_sortedPrefix;
            else
                m_tail.insert(r->id, r.get());
            const QByteArray text = std::exchange(r->haystack, QByteArray());
            m_search.push_back(storeSearchText(text));
            m_rows.push_back(std::move(r));
        }
        if (m_renumberFrom == first)
            m_renumberFrom = int(m_rows.size());
        endInsertRows();
    }
}

RequestQueueModel::SearchText RequestQueueModel::storeSearchText(const QByteArray& text)
{
    constexpr qsizetype kBuffer = 256 * 1024;
    const auto fits
        = [&] { return m_appendable && m_texts.back().capacity() - m_texts.back().size() > text.size(); };
    if (!fits()) {
        // Texts of rows that went or changed stay behind as garbage until it outweighs the rest.
        if (m_textBytes > 2 * m_liveTextBytes + kBuffer)
            rebuildSearchTexts();
        if (!fits()) {
            m_texts.emplace_back();
            m_texts.back().reserve(qMax(kBuffer, text.size() + 1));
            m_appendable = true;
        }
    }
    QByteArray& buffer = m_texts.back();
    const qsizetype at = buffer.size();
    buffer.append(text); // within the reserved capacity: no reallocation
    m_textBytes += text.size();
    m_liveTextBytes += text.size();
    return {buffer.constData() + at, text.size()};
}

void RequestQueueModel::rebuildSearchTexts()
{
    // Rows that carry a fresh text (a new directory) give it; the others are copied from the old buffers.
    QByteArray all;
    qsizetype size = 0;
    for (size_t i = 0; i < m_rows.size(); ++i)
        size += m_rows[i]->haystack.isNull() ? m_search[i].size : m_rows[i]->haystack.size();
    all.reserve(size + 256 * 1024);
    std::vector<qsizetype> ends;
    ends.reserve(m_rows.size());
    for (size_t i = 0; i < m_rows.size(); ++i) {
        QByteArray& fresh = m_rows[i]->haystack;
        if (fresh.isNull())
            all.append(m_search[i].data, m_search[i].size);
        else
            all.append(fresh);
        fresh = QByteArray();
        ends.push_back(all.size());
    }
    std::vector<QByteArray> texts;
    texts.push_back(std::move(all));
    const char* data = texts.back().constData();
    qsizetype from = 0;
    for (size_t i = 0; i < m_rows.size(); ++i) {
        m_search[i] = {data + from, ends[i] - from};
        from = ends[i];
    }
    m_texts.swap(texts);
    m_textBytes = m_liveTextBytes = from;
    m_appendable = true; // reserved with room to spare
}

void RequestQueueModel::setDirectory(const QJsonObject& directory)
{
    m_principals.load(directory);
    ++m_directoryVersion;
    m_maker->setPrincipals(m_principals);
    for (auto& r : m_rows)
        m_maker->applyPrincipals(*r);
    rebuildSearchTexts();
    if (!m_rows.empty())
        emit dataChanged(index(0, Kind), index(int(m_rows.size()) - 1, Owner));
}

void RequestQueueModel::tick()
{
    if (m_rows.empty())
        return;
    // Display only: the sort keys are the creation and expiry times, which do not move.
    emit dataChanged(index(0, Waiting), index(int(m_rows.size()) - 1, ExpiresIn), {Qt::DisplayRole});
}

} // namespace lapse
