// Pages of 256 events fetched on demand with ORDER BY/LIMIT/OFFSET.
#include "AuditLogModel.h"

#include "engine/EventChain.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace lapse
{

namespace
{
const char* const kColumns[] = {"seq", "ts", "type", "actor", "subject", "body", "hash"};
}

AuditLogModel::AuditLogModel(const QString& sqliteFile, QObject* parent)
    : QAbstractTableModel(parent)
    , m_connection(QStringLiteral("auditlog-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    m_db.setDatabaseName(sqliteFile);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    m_db.open();
    recount();
}

AuditLogModel::~AuditLogModel()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

int AuditLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(qMin<qint64>(m_count, INT_MAX));
}

int AuditLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Seq: return tr("Seq");
    case Time: return tr("Time");
    case Type: return tr("Type");
    case Actor: return tr("Actor");
    case Subject: return tr("Subject");
    case Summary: return tr("Summary");
    case Hash: return tr("Hash");
    }
    return {};
}

QString AuditLogModel::where() const
{
    return m_search.isEmpty()
        ? QString()
        : QStringLiteral(" WHERE type LIKE :q OR actor LIKE :q OR subject LIKE :q OR CAST(body AS TEXT) LIKE :q");
}

void AuditLogModel::recount()
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM events") + where());
    if (!m_search.isEmpty())
        q.bindValue(QStringLiteral(":q"), QStringLiteral("%") + m_search + QStringLiteral("%"));
    m_count = q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

const AuditLogModel::Row* AuditLogModel::row(int r) const
{
    const int page = r / kPage;
    auto it = m_pages.find(page);
    if (it == m_pages.end()) {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT seq, ts, type, actor, subject, body, hash FROM events") + where()
            + QStringLiteral(" ORDER BY %1 %2, seq %2 LIMIT %3 OFFSET %4")
                  .arg(QLatin1String(kColumns[qBound(0, m_sortColumn, int(Hash))]),
                      m_order == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC"))
                  .arg(kPage)
                  .arg(qint64(page) * kPage));
        if (!m_search.isEmpty())
            q.bindValue(QStringLiteral(":q"), QStringLiteral("%") + m_search + QStringLiteral("%"));
        QVector<Row> rows;
        if (q.exec()) {
            while (q.next()) {
                QString body = QString::fromUtf8(q.value(5).toByteArray());
                if (body.size() > 200)
                    body = body.left(200) + QStringLiteral("…");
                rows.push_back(Row {q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(),
                    q.value(3).toString(), q.value(4).toString(), body, q.value(6).toByteArray()});
            }
        }
        if (m_pages.size() > 64)
            m_pages.clear();
        it = m_pages.insert(page, rows);
    }
    const int i = r % kPage;
    return i < it->size() ? &it->at(i) : nullptr;
}

QVariant AuditLogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || role != Qt::DisplayRole)
        return {};
    const Row* r = row(index.row());
    if (!r)
        return {};
    switch (index.column()) {
    case Seq: return r->seq;
    case Time: return QDateTime::fromMSecsSinceEpoch(r->ts).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case Type: return r->type;
    case Actor: return r->actor;
    case Subject: return r->subject;
    case Summary: return r->summary;
    case Hash: return QString::fromLatin1(r->hash.left(16));
    }
    return {};
}

void AuditLogModel::sort(int column, Qt::SortOrder order)
{
    beginResetModel();
    m_sortColumn = column;
    m_order = order;
    m_pages.clear();
    endResetModel();
}

void AuditLogModel::setSearch(const QString& text)
{
    beginResetModel();
    m_search = text.trimmed();
    m_pages.clear();
    recount();
    endResetModel();
}

void AuditLogModel::refresh()
{
    const qint64 before = m_count;
    m_pages.clear();
    recount();
    if (m_count > before) {
        // New events at the end of the table in any ordering the view asks for: announce the rows, then
        // repaint the existing ones (pages shift when sorted descending).
        beginInsertRows({}, int(before), int(m_count - 1));
        endInsertRows();
    } else if (m_count < before) {
        beginResetModel();
        endResetModel();
        return;
    }
    if (before > 0)
        emit dataChanged(index(0, 0), index(int(qMin<qint64>(before, INT_MAX)) - 1, ColumnCount - 1));
}

void AuditLogModel::verifyChain()
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    ChainVerifier v;
    if (!q.exec(QStringLiteral("SELECT seq, ts, type, actor, subject, body, hash FROM events ORDER BY seq"))) {
        emit chainVerified(false, 0, q.lastError().text());
        return;
    }
    while (q.next()) {
        Event e;
        e.seq = q.value(0).toLongLong();
        e.tsMs = q.value(1).toLongLong();
        e.type = q.value(2).toString();
        e.actor = q.value(3).toString();
        e.subject = q.value(4).toString();
        e.body = q.value(5).toByteArray();
        e.hash = q.value(6).toByteArray();
        if (!v.add(e))
            break;
    }
    if (v.ok())
        emit chainVerified(true, v.nextSeq() - 1, QString());
    else
        emit chainVerified(false, v.breakSeq(), v.breakReason());
}

} // namespace lapse
