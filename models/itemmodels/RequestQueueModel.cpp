// Pending requests as a table: typed rows, an id -> row index, and updates that touch only what changed.
#include "RequestQueueModel.h"

#include "TimeFormat.h"
#include "backend/Backend.h"
#include "core/Clock.h"

#include <QColor>
#include <QJsonArray>
#include <QPointer>
#include <algorithm>

namespace lapse
{

namespace
{

QString str(const QJsonObject& o, const char* key)
{
    return o.value(QLatin1String(key)).toString();
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
    int width = 0;
    int excess = -1;
    int ttl = 0;
    bool breakGlass = false;
    qint64 createdMs = 0;
    qint64 expiresMs = 0;
    QJsonArray approvals; // partial approvals of a quorum; usually empty
    int approvalsRequired = 1;
    bool hasMinimum = false;
    // The row's place in the last prepared sort (see prepareSort), valid while rankGeneration matches.
    mutable int rank = 0;
    mutable quint64 rankGeneration = 0;
};

RequestQueueModel::RequestQueueModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend)
{
}

RequestQueueModel::~RequestQueueModel() = default;

std::unique_ptr<RequestQueueModel::Row> RequestQueueModel::makeRow(const QJsonObject& json) const
{
    auto r = std::make_unique<Row>();
    r->id = str(json, "id");
    r->requester = intern(str(json, "requester"));
    const PrincipalIndex::Entry who = m_principals.entry(r->requester);
    r->kind = who.kind;
    r->owner = who.owner;
    r->target = intern(str(json, "target"));
    const QJsonArray privileges = json.value(QLatin1String("privileges")).toArray();
    QStringList requested;
    requested.reserve(privileges.size());
    for (const auto& p : privileges)
        requested << p.toString();
    r->privileges = intern(requested.join(QLatin1String(", ")));
    r->width = requested.size();
    const QJsonValue minValue = json.value(QLatin1String("min_privileges"));
    if (minValue.isArray()) {
        QStringList minimum;
        for (const auto& p : minValue.toArray())
            minimum << p.toString();
        r->minPrivileges = intern(minimum.join(QLatin1String(", ")));
        r->hasMinimum = true;
        r->excess = 0;
        for (const auto& p : std::as_const(requested))
            r->excess += minimum.contains(p) ? 0 : 1;
    }
    r->task = intern(str(json, "task"));
    r->reason = str(json, "reason");
    r->ticket = str(json, "ticket");
    r->ttl = json.value(QLatin1String("ttl_seconds")).toInt();
    r->breakGlass = json.value(QLatin1String("break_glass")).toBool();
    r->createdMs = timefmt::parseIso(json.value(QLatin1String("created_at")).toString());
    r->expiresMs = timefmt::parseIso(json.value(QLatin1String("expires_at")).toString());
    r->approvals = json.value(QLatin1String("approvals")).toArray();
    r->approvalsRequired = json.value(QLatin1String("approvals_required")).toInt(1);
    return r;
}

QString RequestQueueModel::intern(const QString& s) const
{
    // Requesters, targets, tasks and privilege sets repeat across a large queue: one copy each.
    if (s.isEmpty())
        return s;
    auto it = m_strings.constFind(s);
    if (it != m_strings.cend())
        return *it;
    if (m_strings.size() > 50'000)
        m_strings.clear(); // a bound, should values stop repeating
    m_strings.insert(s, s);
    return s;
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
    case Qt::ForegroundRole:
        if (index.column() == Width && r.excess > 0)
            return QColor(0xb3, 0x5c, 0x00);
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

void RequestQueueModel::rebuildIndex() const
{
    m_index.clear();
    m_index.reserve(int(m_rows.size()));
    for (int i = 0; i < int(m_rows.size()); ++i)
        m_index.insert(m_rows[size_t(i)]->id, i);
    m_indexDirty = false;
}

int RequestQueueModel::rowOf(const QString& id) const
{
    if (m_indexDirty)
        rebuildIndex();
    return m_index.value(id, -1);
}

const QString& RequestQueueModel::textOf(const Row& r, int column)
{
    static const QString none;
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
    case Task:
        return r.task;
    case Reason:
        return r.reason;
    case Ticket:
        return r.ticket;
    }
    return none;
}

bool RequestQueueModel::isTextColumn(int column)
{
    return column >= 0 && column < ColumnCount && column != Width && column != Ttl && column != Waiting
        && column != ExpiresIn;
}

void RequestQueueModel::prepareSort(int column) const
{
    // Case-insensitive comparison is the slow part of sorting text: fold every value once, order the rows
    // by the folded text, and let the sort compare the resulting ranks. Rows added later have no rank and
    // compare by folded text, which agrees with the ranks.
    ++m_rankGeneration;
    m_rankColumn = column;
    if (!isTextColumn(column))
        return;
    std::vector<std::pair<QString, const Row*>> keys;
    keys.reserve(m_rows.size());
    QHash<QString, QString> folded; // repeating values fold once
    for (const auto& r : m_rows) {
        const QString& text = textOf(*r, column);
        auto it = folded.constFind(text);
        if (it == folded.cend())
            it = folded.insert(text, text.toCaseFolded());
        keys.emplace_back(*it, r.get());
        if (folded.size() > 4096)
            folded.clear();
    }
    std::sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    int rank = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
        if (i > 0 && keys[i].first != keys[i - 1].first)
            ++rank;
        keys[i].second->rank = rank;
        keys[i].second->rankGeneration = m_rankGeneration;
    }
}

bool RequestQueueModel::rowLessThan(int column, int leftRow, int rightRow) const
{
    const Row& a = *m_rows[size_t(leftRow)];
    const Row& b = *m_rows[size_t(rightRow)];
    if (column == m_rankColumn && isTextColumn(column) && a.rankGeneration == m_rankGeneration
        && b.rankGeneration == m_rankGeneration)
        return a.rank < b.rank;
    const auto text = [](const QString& x, const QString& y) { return x.toCaseFolded() < y.toCaseFolded(); };
    switch (column) {
    case Requester:
        return text(a.requester, b.requester);
    case Kind:
        return text(a.kind, b.kind);
    case Owner:
        return text(a.owner, b.owner);
    case Target:
        return text(a.target, b.target);
    case Privileges:
        return text(a.privileges, b.privileges);
    case Width:
        return a.width != b.width ? a.width < b.width : a.excess < b.excess;
    case Task:
        return text(a.task, b.task);
    case Reason:
        return text(a.reason, b.reason);
    case Ticket:
        return text(a.ticket, b.ticket);
    case Ttl:
        return a.ttl < b.ttl;
    case Waiting:
        return a.createdMs > b.createdMs;
    case ExpiresIn:
        return a.expiresMs < b.expiresMs;
    }
    return leftRow < rightRow;
}

bool RequestQueueModel::rowMatches(
    int row, const QString& target, const QString& kind, const QStringList& terms) const
{
    const Row& r = *m_rows[size_t(row)];
    if (!target.isEmpty() && r.target != target)
        return false;
    if (!kind.isEmpty() && r.kind != kind)
        return false;
    for (const QString& t : terms) {
        const auto in = [&t](const QString& field) { return field.contains(t, Qt::CaseInsensitive); };
        if (!(in(r.requester) || in(r.target) || in(r.task) || in(r.reason) || in(r.ticket)
                || in(r.privileges) || in(r.owner)))
            return false;
    }
    return true;
}

void RequestQueueModel::reload()
{
    if (!m_backend) {
        emit loadFailed(tr("No backend to load the queue from."));
        return;
    }
    ++m_generation;
    m_loading = true;
    m_staging.clear();
    fetchPage(QString(), m_generation);
}

void RequestQueueModel::fetchPage(const QString& after, quint64 generation)
{
    QPointer<RequestQueueModel> self(this);
    m_backend->listRequests(
        QStringLiteral("pending"), after, m_pageSize, [self, generation](const ApiResult& r) {
            if (!self || generation != self->m_generation)
                return; // gone, or a newer reload took over
            if (!r) {
                self->m_loading = false;
                self->m_staging.clear();
                // Held events stay valid against the rows still shown.
                const QList<Event> held = std::move(self->m_heldEvents);
                self->m_heldEvents.clear();
                self->applyEvents(held);
                emit self->loadFailed(tr("Could not load the queue: %1").arg(r.error().message));
                return;
            }
            const QJsonObject page = r.value();
            const QJsonArray items = page.value(QLatin1String("items")).toArray();
            self->m_staging.reserve(self->m_staging.size() + size_t(items.size()));
            for (const auto& v : items) {
                const QJsonObject request = v.toObject();
                // The server filtered by status; a row not pending here would be a server bug, not shown.
                if (request.value(QLatin1String("status")).toString() == QLatin1String("pending"))
                    self->m_staging.push_back(self->makeRow(request));
            }
            const QJsonValue next = page.value(QLatin1String("next_after"));
            if (next.isString() && !next.toString().isEmpty() && !items.isEmpty())
                self->fetchPage(next.toString(), generation);
            else
                self->finishLoad();
        });
}

void RequestQueueModel::finishLoad()
{
    beginResetModel();
    m_rows = std::move(m_staging);
    m_staging.clear();
    m_indexDirty = true;
    endResetModel();
    m_loading = false;
    // Events that arrived during the load are at least as new as what the pages showed.
    const QList<Event> held = std::move(m_heldEvents);
    m_heldEvents.clear();
    applyEvents(held);
    emit loaded();
}

void RequestQueueModel::applyEvents(const QList<Event>& events)
{
    if (m_loading) {
        m_heldEvents += events;
        return;
    }
    // The last state of each request this batch touched, in order of first mention.
    QHash<QString, QJsonObject> latest;
    QStringList order;
    for (const Event& e : events) {
        if (!e.type.startsWith(QLatin1String("request.")))
            continue;
        const QJsonObject body = e.bodyJson();
        QString id = body.value(QLatin1String("id")).toString();
        if (id.isEmpty())
            id = e.subject;
        if (id.isEmpty() || body.isEmpty())
            continue;
        auto it = latest.find(id);
        if (it == latest.end())
            order << id;
        latest.insert(id, body);
    }
    if (order.isEmpty())
        return;

    std::vector<int> removals;
    std::vector<std::unique_ptr<Row>> inserts;
    int changedTop = -1, changedBottom = -1;
    for (const QString& id : std::as_const(order)) {
        const QJsonObject json = latest.value(id);
        const bool pending = json.value(QLatin1String("status")).toString() == QLatin1String("pending");
        const int row = rowOf(id);
        if (row >= 0 && pending) {
            m_rows[size_t(row)] = makeRow(json);
            changedTop = changedTop < 0 ? row : qMin(changedTop, row);
            changedBottom = qMax(changedBottom, row);
        } else if (row >= 0) {
            removals.push_back(row);
        } else if (pending) {
            inserts.push_back(makeRow(json));
        }
    }
    if (changedTop >= 0)
        emit dataChanged(index(changedTop, 0), index(changedBottom, ColumnCount - 1));

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
            m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
            // Rows after the run moved up. Listeners of rowsRemoved look rows up by id at once, so the
            // index must be right before endRemoveRows(): it is rebuilt on the next lookup.
            m_indexDirty = true;
            endRemoveRows();
        }
    }

    if (!inserts.empty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(inserts.size()) - 1);
        for (auto& r : inserts) {
            if (!m_indexDirty)
                m_index.insert(r->id, int(m_rows.size()));
            m_rows.push_back(std::move(r));
        }
        endInsertRows();
    }
}

void RequestQueueModel::setDirectory(const QJsonObject& directory)
{
    m_principals.load(directory);
    for (auto& r : m_rows) {
        const PrincipalIndex::Entry who = m_principals.entry(r->requester);
        r->kind = who.kind;
        r->owner = who.owner;
    }
    for (auto& r : m_staging) {
        const PrincipalIndex::Entry who = m_principals.entry(r->requester);
        r->kind = who.kind;
        r->owner = who.owner;
    }
    if (!m_rows.empty())
        emit dataChanged(index(0, Kind), index(int(m_rows.size()) - 1, Owner));
}

void RequestQueueModel::tick()
{
    if (m_rows.empty())
        return;
    emit dataChanged(index(0, Waiting), index(int(m_rows.size()) - 1, ExpiresIn), {Qt::DisplayRole});
}

} // namespace lapse
