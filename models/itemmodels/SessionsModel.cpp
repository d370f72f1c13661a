// Open sessions from GET /v1/sessions, then session.* events: opened inserts, ended removes, the rest update.
#include "SessionsModel.h"

#include "TimeFormat.h"
#include "backend/Backend.h"
#include "core/Clock.h"

#include <QJsonArray>
#include <QPointer>
#include <algorithm>

namespace lapse
{

namespace
{
const char* const kStates[] = {"live", "lingering"};
}

SessionsModel::SessionsModel(Backend* backend, QObject* parent)
    : LiveRowTable(ColumnCount, parent)
    , m_backend(backend)
{
}

SessionsModel::Row SessionsModel::makeRow(const QJsonObject& json)
{
    Row r;
    r.id = json.value(QLatin1String("id")).toString();
    r.grantId = json.value(QLatin1String("grant_id")).toString();
    r.principal = json.value(QLatin1String("principal")).toString();
    r.target = json.value(QLatin1String("target")).toString();
    r.resourceServer = json.value(QLatin1String("resource_server")).toString();
    r.openedMs = timefmt::parseIso(json.value(QLatin1String("opened_at")).toString());
    r.grantEndedMs = timefmt::parseIso(json.value(QLatin1String("grant_ended_at")).toString());
    r.terminateRequestedMs
        = timefmt::parseIso(json.value(QLatin1String("terminate_requested_at")).toString());
    r.json = json;
    return r;
}

QVariant SessionsModel::display(const Row& r, int column) const
{
    switch (column) {
    case Session:
        return r.id;
    case Principal:
        return r.principal;
    case Target:
        return r.target;
    case ResourceServer: {
        // A session the broker saw on the target itself: what the target says it is.
        const QJsonObject b = r.json.value(QLatin1String("backend")).toObject();
        if (b.isEmpty())
            return r.resourceServer;
        return tr("%1 backend %2 from %3")
            .arg(r.target)
            .arg(b.value(QLatin1String("pid")).toInt())
            .arg(b.value(QLatin1String("client_addr")).toString());
    }
    case State:
        if (r.lingering())
            return r.terminateRequestedMs ? tr("lingering, ordered closed") : tr("lingering");
        return r.terminateRequestedMs ? tr("live, ordered closed") : tr("live");
    case Opened:
        return timefmt::instant(r.openedMs);
    case GrantEnded:
        return timefmt::instant(r.grantEndedMs);
    case Lingering:
        return r.lingering() ? timefmt::duration(qMax<qint64>(0, Clock::now() - r.grantEndedMs)) : QString();
    }
    return {};
}

QVariant SessionsModel::sortValue(const Row& r, int column) const
{
    switch (column) {
    case Opened:
        return r.openedMs;
    case GrantEnded:
        return r.grantEndedMs;
    case Lingering:
        // Longest lingering sorts highest; stable while time moves.
        return r.lingering() ? -r.grantEndedMs : std::numeric_limits<qint64>::min();
    default:
        return display(r, column);
    }
}

QVariant SessionsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return display(r, index.column());
    case Qt::ToolTipRole:
        if (r.lingering())
            return tr("Still open %1 after its grant ended").arg(display(r, Lingering).toString());
        return {};
    case IdRole:
        return r.id;
    case JsonRole:
        return r.json;
    case LingeringRole:
        return r.lingering();
    case GrantIdRole:
        return r.grantId;
    case SortRole:
        return sortValue(r, index.column());
    case TerminateRequestedRole:
        return r.terminateRequestedMs != 0;
    }
    return {};
}

QVariant SessionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Session:
        return tr("Session");
    case Principal:
        return tr("Principal");
    case Target:
        return tr("Target");
    case ResourceServer:
        return tr("Resource server");
    case State:
        return tr("State");
    case Opened:
        return tr("Opened");
    case GrantEnded:
        return tr("Grant ended");
    case Lingering:
        return tr("Lingering");
    }
    return {};
}

void SessionsModel::reload()
{
    if (!m_backend) {
        emit loadFailed(tr("No backend to load sessions from."));
        return;
    }
    fetch(0, startLoad());
}

void SessionsModel::fetch(int stateIndex, quint64 generation)
{
    QPointer<SessionsModel> self(this);
    m_backend->listSessions(
        QString::fromLatin1(kStates[stateIndex]), [self, stateIndex, generation](const ApiResult& r) {
            if (!self || !self->isCurrentLoad(generation))
                return;
            if (!r)
                return self->failLoad(tr("Could not load sessions: %1").arg(r.error().message));
            for (const auto& v : r->value(QLatin1String("items")).toArray()) {
                Row row = makeRow(v.toObject());
                if (row.json.value(QLatin1String("ended_at")).isNull()
                    || !row.json.contains(QLatin1String("ended_at")))
                    self->m_staging.append(row);
            }
            if (stateIndex + 1 < int(std::size(kStates)))
                self->fetch(stateIndex + 1, generation);
            else
                self->showLoaded();
        });
}

void SessionsModel::showLoaded()
{
    std::stable_sort(m_staging.begin(), m_staging.end(),
        [](const Row& a, const Row& b) { return a.openedMs < b.openedMs; });
    showStaged();
    finishLoad();
}

void SessionsModel::applyLive(const QList<Event>& events)
{
    LatestById latest;
    for (const Event& e : events) {
        if (!e.type.startsWith(QLatin1String("session.")))
            continue;
        const QJsonObject body = e.bodyJson();
        const QString id = body.value(QLatin1String("id")).toString();
        if (id.isEmpty())
            continue;
        latest.note(id, body);
    }
    const auto open = [](const QJsonObject& json) {
        const QJsonValue ended = json.value(QLatin1String("ended_at"));
        return ended.isNull() || ended.isUndefined() || ended.toString().isEmpty();
    };
    commit(updateRows(latest, open, &SessionsModel::makeRow));
}

void SessionsModel::tick()
{
    announceColumns(Lingering, Lingering);
}

} // namespace lapse
