// Audit log paging: windows of rows fetched on demand, by sequence range, keyset from a neighbour window, or
// by offset over a covering index; counts and sorts stay in SQLite.
#include "AuditLogModel.h"

#include "TimeFormat.h"
#include "core/Clock.h"
#include "engine/SqliteStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QtConcurrent>
#include <algorithm>

namespace lapse
{

namespace
{
constexpr int kWindow = 200; // rows per fetched window
constexpr int kCachedWindows = 16;
const QString kColumns = QStringLiteral("seq, ts, type, actor, subject, body, hash");

QString likePattern(const QString& term)
{
    QString t = term;
    t.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    t.replace(QLatin1Char('%'), QLatin1String("\\%"));
    t.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + t + QLatin1Char('%');
}

QString s(const QJsonObject& o, const char* key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isString() ? v.toString() : QString();
}

QString list(const QJsonObject& o, const char* key)
{
    QStringList out;
    for (const auto& x : o.value(QLatin1String(key)).toArray())
        out << x.toString();
    return out.join(QLatin1String(", "));
}
} // namespace

AuditLogModel::AuditLogModel(const QString& sqliteFile, QObject* parent)
    : QAbstractTableModel(parent)
    , m_file(sqliteFile)
    , m_connection(QStringLiteral("lapse-audit-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(sqliteFile);
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        m_error = tr("Cannot open the audit log %1: %2").arg(sqliteFile, db.lastError().text());
    } else {
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA mmap_size=268435456"));
        q.exec(QStringLiteral("PRAGMA cache_size=-32768"));
        if (!q.exec(QStringLiteral("SELECT 1 FROM events LIMIT 1")))
            m_error = tr("%1 has no readable event log: %2").arg(sqliteFile, q.lastError().text());
        else
            m_open = true;
    }
    if (m_open)
        recount();
    connect(&m_verify, &QFutureWatcher<void>::finished, this, [this] {
        const auto outcome = m_verifyOutcome;
        if (outcome)
            emit chainVerified(outcome->ok, outcome->upTo, outcome->reason);
    });
}

AuditLogModel::~AuditLogModel()
{
    m_verify.waitForFinished();
    QSqlDatabase::database(m_connection, false).close();
    QSqlDatabase::removeDatabase(m_connection);
}

void AuditLogModel::fail(const QString& message) const
{
    // An error while painting must not recurse into the view; it is reported once per kind of failure.
    auto* self = const_cast<AuditLogModel*>(this);
    if (self->m_error == message)
        return;
    self->m_error = message;
    QMetaObject::invokeMethod(
        self, [self, message] { emit self->errorOccurred(message); }, Qt::QueuedConnection);
}

QString AuditLogModel::keyColumn() const
{
    switch (m_sortColumn) {
    case Time:
        return QStringLiteral("ts");
    case Type:
        return QStringLiteral("type");
    case Actor:
        return QStringLiteral("actor");
    case Subject:
        return QStringLiteral("subject");
    default:
        return QStringLiteral("seq");
    }
}

void AuditLogModel::inSnapshot(const std::function<void()>& fn) const
{
    if (m_snapshotDepth > 0) {
        fn();
        return;
    }
    // One read transaction: what the head check saw is what the queries read. While the file's newest event
    // is still the one the model counted up to, "seq <= head" filters nothing, and leaving it out spares
    // SQLite a test on every index entry a count or an offset walks.
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    const bool tx = db.transaction();
    {
        QSqlQuery q(db);
        q.setForwardOnly(true);
        m_headCurrent = tx && q.exec(QStringLiteral("SELECT MAX(seq) FROM events")) && q.next()
            && q.value(0).toLongLong() == m_maxSeq;
    }
    ++m_snapshotDepth;
    fn();
    --m_snapshotDepth;
    m_headCurrent = false;
    if (tx)
        db.commit();
}

QString AuditLogModel::whereClause(QVariantList* binds) const
{
    QStringList parts;
    if (!m_headCurrent) {
        parts << QStringLiteral("seq <= ?");
        binds->append(m_maxSeq);
    }
    for (const QString& term : m_terms) {
        parts << QStringLiteral(
            "(type LIKE ? ESCAPE '\\' OR actor LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE "
            "'\\' OR CAST(body AS TEXT) LIKE ? ESCAPE '\\')");
        const QString p = likePattern(term);
        *binds << p << p << p << p;
    }
    return parts.isEmpty() ? QStringLiteral("1") : parts.join(QLatin1String(" AND "));
}

qint64 AuditLogModel::countWhere(const QString& extra, const QVariantList& extraBinds) const
{
    qint64 n = 0;
    inSnapshot([&] { n = countWhereNow(extra, extraBinds); });
    return n;
}

qint64 AuditLogModel::countWhereNow(const QString& extra, const QVariantList& extraBinds) const
{
    QVariantList binds;
    QString sql = QStringLiteral("SELECT COUNT(*) FROM events WHERE ") + whereClause(&binds);
    if (!extra.isEmpty()) {
        sql += QStringLiteral(" AND ") + extra;
        binds += extraBinds;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const auto& b : binds)
        q.addBindValue(b);
    if (!q.exec() || !q.next()) {
        fail(tr("Reading the audit log failed: %1").arg(q.lastError().text()));
        return 0;
    }
    return q.value(0).toLongLong();
}

void AuditLogModel::recount()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    // One read transaction: the count and the newest sequence come from the same snapshot.
    db.transaction();
    if (q.exec(QStringLiteral("SELECT MIN(seq), MAX(seq) FROM events")) && q.next()) {
        m_minSeq = q.value(0).toLongLong();
        m_maxSeq = q.value(1).toLongLong();
    }
    q.finish();
    qint64 count = 0;
    if (m_terms.isEmpty()) {
        // No WHERE: SQLite counts the smallest index instead of walking the table.
        if (q.exec(QStringLiteral("SELECT COUNT(*) FROM events")) && q.next())
            count = q.value(0).toLongLong();
        q.finish();
    } else {
        m_headCurrent = true; // the count and the head come from this one snapshot
        count = countWhereNow({}, {});
        m_headCurrent = false;
    }
    db.commit();
    m_count = int(qMin<qint64>(count, std::numeric_limits<int>::max()));
    m_dense = m_terms.isEmpty() && m_count > 0 && m_maxSeq - m_minSeq + 1 == m_count;
}

void AuditLogModel::invalidateCache() const
{
    m_cache.clear();
}

int AuditLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_count;
}

int AuditLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QList<AuditLogModel::Entry> AuditLogModel::runQuery(const QString& sql, const QVariantList& binds) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const auto& b : binds)
        q.addBindValue(b);
    QList<Entry> out;
    if (!q.exec()) {
        fail(tr("Reading the audit log failed: %1").arg(q.lastError().text()));
        return out;
    }
    out.reserve(kWindow);
    const QString key = keyColumn();
    const int keyIndex = key == QLatin1String("seq") ? 0
        : key == QLatin1String("ts")                 ? 1
        : key == QLatin1String("type")               ? 2
        : key == QLatin1String("actor")              ? 3
                                                     : 4;
    while (q.next()) {
        Entry e;
        e.seq = q.value(0).toLongLong();
        e.ts = q.value(1).toLongLong();
        e.type = q.value(2).toString();
        e.actor = q.value(3).toString();
        e.subject = q.value(4).toString();
        e.body = q.value(5).toByteArray();
        e.hash = q.value(6).toByteArray();
        e.key = q.value(keyIndex);
        out << e;
    }
    return out;
}

QList<AuditLogModel::Entry> AuditLogModel::fetchWindow(int start) const
{
    const QString key = keyColumn();
    const bool bySeq = key == QLatin1String("seq");
    const bool asc = m_order == Qt::AscendingOrder;
    const QString dir = asc ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const QString rdir = asc ? QStringLiteral("DESC") : QStringLiteral("ASC");
    const QString order
        = bySeq ? QStringLiteral("seq %1").arg(dir) : QStringLiteral("%1 %2, seq %2").arg(key, dir);
    const QString reverse
        = bySeq ? QStringLiteral("seq %1").arg(rdir) : QStringLiteral("%1 %2, seq %2").arg(key, rdir);
    const QString tuple = bySeq ? QStringLiteral("seq") : QStringLiteral("(%1, seq)").arg(key);
    const auto at = [&](const QVariant& k, qint64 seq) {
        return bySeq ? QVariantList {seq} : QVariantList {k, seq};
    };
    const QString marks = bySeq ? QStringLiteral("?") : QStringLiteral("(?, ?)");

    // 1. Sequence order without a search: row r is a sequence number, found through the primary key.
    if (bySeq && m_dense) {
        const qint64 from = asc ? m_minSeq + start : m_maxSeq - start - kWindow + 1;
        const qint64 to = asc ? m_minSeq + start + kWindow - 1 : m_maxSeq - start;
        return runQuery(
            QStringLiteral("SELECT %1 FROM events WHERE seq BETWEEN ? AND ? AND seq <= ? ORDER BY %2")
                .arg(kColumns, order),
            {qMax(from, m_minSeq), to, m_maxSeq});
    }
    QVariantList binds;
    const QString where = whereClause(&binds);
    // 2. A neighbour window is cached: continue from its edge (keyset), which costs no more than the page.
    for (const Window& w : std::as_const(m_cache)) {
        if (w.start + kWindow == start && w.rows.size() == kWindow) {
            const Entry& last = w.rows.last();
            QVariantList b = binds + at(last.key, last.seq);
            b << kWindow;
            return runQuery(QStringLiteral("SELECT %1 FROM events WHERE %2 AND %3 %4 %5 ORDER BY %6 LIMIT ?")
                                .arg(kColumns, where, tuple, asc ? QStringLiteral(">") : QStringLiteral("<"),
                                    marks, order),
                b);
        }
        if (w.start == start + kWindow && !w.rows.isEmpty()) {
            const Entry& first = w.rows.first();
            QVariantList b = binds + at(first.key, first.seq);
            b << kWindow;
            QList<Entry> rows
                = runQuery(QStringLiteral("SELECT %1 FROM events WHERE %2 AND %3 %4 %5 ORDER BY %6 LIMIT ?")
                               .arg(kColumns, where, tuple, asc ? QStringLiteral("<") : QStringLiteral(">"),
                                   marks, reverse),
                    b);
            std::reverse(rows.begin(), rows.end());
            return rows;
        }
    }
    // 3. A jump: skip rows over the sort index (which carries seq), then read only the window's rows.
    binds << kWindow << start;
    return runQuery(
        QStringLiteral("SELECT %1 FROM events WHERE seq IN (SELECT seq FROM events WHERE %2 ORDER BY %3 "
                       "LIMIT ? OFFSET ?) ORDER BY %3")
            .arg(kColumns, where, order),
        binds);
}

const AuditLogModel::Window* AuditLogModel::window(int start) const
{
    for (int i = 0; i < m_cache.size(); ++i) {
        if (m_cache[i].start == start) {
            if (i > 0)
                m_cache.move(i, 0);
            return &m_cache[0];
        }
    }
    Window w;
    w.start = start;
    inSnapshot([&] { w.rows = fetchWindow(start); });
    m_cache.prepend(std::move(w));
    while (m_cache.size() > kCachedWindows)
        m_cache.removeLast();
    return &m_cache[0];
}

const AuditLogModel::Entry* AuditLogModel::entry(int row) const
{
    if (row < 0 || row >= m_count)
        return nullptr;
    const Window* w = window(row - row % kWindow);
    const int i = row - w->start;
    return i < w->rows.size() ? &w->rows[i] : nullptr;
}

QString AuditLogModel::summaryOf(const Entry& e) const
{
    QJsonObject b = QJsonDocument::fromJson(e.body).object();
    if (e.type.startsWith(QLatin1String("request."))) {
        QString out = tr("%1 → %2 [%3], %4 s")
                          .arg(s(b, "requester"), s(b, "target"), list(b, "privileges"))
                          .arg(b.value(QLatin1String("ttl_seconds")).toInt());
        if (!s(b, "deny_reason").isEmpty())
            out += tr(": %1").arg(s(b, "deny_reason"));
        return out;
    }
    if (e.type.startsWith(QLatin1String("grant."))) {
        const QString note = s(b, "note");
        if (b.value(QLatin1String("grant")).isObject())
            b = b.value(QLatin1String("grant")).toObject();
        QString out = tr("%1 on %2 [%3]").arg(s(b, "principal"), s(b, "target"), list(b, "privileges"));
        if (!s(b, "end_reason").isEmpty())
            out += tr(": %1").arg(s(b, "end_reason"));
        if (!note.isEmpty())
            out += tr(": %1").arg(note);
        return out;
    }
    if (e.type.startsWith(QLatin1String("session.")))
        return tr("%1 on %2 via %3").arg(s(b, "principal"), s(b, "target"), s(b, "resource_server"));
    if (e.type.startsWith(QLatin1String("principal.")))
        return s(b, "reason").isEmpty() ? s(b, "principal")
                                        : tr("%1: %2").arg(s(b, "principal"), s(b, "reason"));
    if (e.type == QLatin1String("review.decided"))
        return tr("%1 on %2 [%3]: %4: %5")
            .arg(s(b, "identity"), s(b, "target"), list(b, "privileges"), s(b, "outcome"), s(b, "comment"));
    if (e.type == QLatin1String("credential.used_after_end"))
        return tr("%1 on %2, presented to %3 after the grant ended")
            .arg(s(b, "principal"), s(b, "target"), s(b, "presented_to"));
    QString raw = QString::fromUtf8(e.body);
    if (raw.size() > 160)
        raw = raw.left(160) + QChar(0x2026);
    return raw;
}

QVariant AuditLogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != SeqRole && role != EventJsonRole)
        return {};
    const Entry* e = entry(index.row());
    if (!e)
        return {};
    if (role == SeqRole)
        return e->seq;
    if (role == EventJsonRole) {
        QJsonObject o {{"seq", e->seq}, {"ts", Clock::toIso(e->ts)}, {"ts_ms", e->ts}, {"type", e->type},
            {"actor", e->actor}, {"subject", e->subject}, {"hash", QString::fromLatin1(e->hash)}};
        const QJsonDocument body = QJsonDocument::fromJson(e->body);
        o.insert(QStringLiteral("body"),
            body.isObject() ? QJsonValue(body.object()) : QJsonValue(QString::fromUtf8(e->body)));
        return o;
    }
    switch (index.column()) {
    case Seq:
        return e->seq;
    case Time:
        return role == Qt::ToolTipRole ? Clock::toIso(e->ts) : timefmt::instant(e->ts);
    case Type:
        return e->type;
    case Actor:
        return e->actor;
    case Subject:
        return e->subject;
    case Summary:
        if (e->summary.isNull())
            e->summary = summaryOf(*e);
        return e->summary;
    case Hash:
        return role == Qt::ToolTipRole ? QString::fromLatin1(e->hash)
                                       : QString::fromLatin1(e->hash.left(12)) + QChar(0x2026);
    }
    return {};
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Seq:
        return tr("Seq");
    case Time:
        return tr("Time");
    case Type:
        return tr("Event");
    case Actor:
        return tr("Actor");
    case Subject:
        return tr("Subject");
    case Summary:
        return tr("Summary");
    case Hash:
        return tr("Hash");
    }
    return {};
}

qint64 AuditLogModel::rankOf(const QVariant& key, qint64 seq) const
{
    const QString k = keyColumn();
    const bool bySeq = k == QLatin1String("seq");
    const bool asc = m_order == Qt::AscendingOrder;
    const QString op = asc ? QStringLiteral("<") : QStringLiteral(">");
    if (bySeq && m_dense)
        return asc ? seq - m_minSeq : m_maxSeq - seq; // no gaps: the rank is arithmetic
    if (bySeq)
        return countWhere(QStringLiteral("seq %1 ?").arg(op), {seq});
    // Two plain index ranges rather than one row-value comparison, which SQLite would evaluate on every entry
    // it walks: the rows with a smaller key, then those with the same key and a smaller sequence.
    qint64 n = 0;
    inSnapshot([&] {
        n = countWhereNow(QStringLiteral("%1 %2 ?").arg(k, op), {key})
            + countWhereNow(QStringLiteral("%1 = ? AND seq %2 ?").arg(k, op), {key, seq});
    });
    return n;
}

int AuditLogModel::rowOfSeq(qint64 seq) const
{
    if (!m_open || seq > m_maxSeq)
        return -1;
    int row = -1;
    inSnapshot([&] {
        if (countWhereNow(QStringLiteral("seq = ?"), {seq}) != 1)
            return; // not in the log, or not matching the search
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        q.setForwardOnly(true);
        q.prepare(QStringLiteral("SELECT %1 FROM events WHERE seq = ?").arg(keyColumn()));
        q.addBindValue(seq);
        if (!q.exec() || !q.next())
            return;
        const QVariant key = q.value(0);
        q.finish();
        row = int(rankOf(key, seq));
    });
    return row;
}

void AuditLogModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        column = Seq;
    if (column == m_sortColumn && order == m_order)
        return;
    // Rows keep their identity (seq) across the re-sort so selections follow them.
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList persistent = persistentIndexList();
    QList<qint64> seqs;
    for (const auto& i : persistent) {
        const Entry* e = entry(i.row());
        seqs << (e ? e->seq : -1);
    }
    m_sortColumn = column;
    m_order = order;
    invalidateCache();
    QModelIndexList to;
    QHash<qint64, int> rows; // one lookup per event, not per column of it
    for (int i = 0; i < persistent.size(); ++i) {
        auto it = rows.constFind(seqs[i]);
        if (it == rows.cend())
            it = rows.insert(seqs[i], seqs[i] > 0 ? rowOfSeq(seqs[i]) : -1);
        const int row = *it;
        to << (row >= 0 ? index(row, persistent[i].column()) : QModelIndex());
    }
    changePersistentIndexList(persistent, to);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void AuditLogModel::setSearch(const QString& text)
{
    const QStringList terms = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    m_search = text;
    if (terms == m_terms)
        return;
    beginResetModel();
    m_terms = terms;
    invalidateCache();
    if (m_open)
        recount();
    endResetModel();
}

void AuditLogModel::refresh()
{
    if (!m_open)
        return;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT MAX(seq) FROM events")) || !q.next())
        return;
    const qint64 newMax = q.value(0).toLongLong();
    q.finish();
    if (newMax <= m_maxSeq)
        return;
    const qint64 oldMax = m_maxSeq;
    // Count what is new (and matches the search) within the new head, a range read on the primary key.
    m_maxSeq = newMax;
    const int added = int(countWhere(QStringLiteral("seq > ?"), {oldMax}));
    m_maxSeq = oldMax; // rows are read under the old head until the views are told
    if (added == 0) {
        m_maxSeq = newMax; // nothing new matches the search: nothing to show
        return;
    }
    const bool bySeq = keyColumn() == QLatin1String("seq");
    const bool wasDense = m_dense;
    if (m_count == 0)
        m_minSeq = oldMax + 1;
    if (bySeq && m_order == Qt::AscendingOrder) {
        m_maxSeq = newMax;
        // Appended at the end: every cached window keeps its rows; a partial last one is read again.
        beginInsertRows({}, m_count, m_count + added - 1);
        m_count += added;
        m_dense = wasDense && m_terms.isEmpty() && m_maxSeq - m_minSeq + 1 == m_count;
        m_cache.erase(std::remove_if(m_cache.begin(), m_cache.end(),
                          [](const Window& w) { return w.rows.size() < kWindow; }),
            m_cache.end());
        endInsertRows();
        return;
    }
    if (bySeq) {
        m_maxSeq = newMax;
        beginInsertRows({}, 0, added - 1);
        m_count += added;
        m_dense = wasDense && m_terms.isEmpty() && m_maxSeq - m_minSeq + 1 == m_count;
        invalidateCache();
        endInsertRows();
        return;
    }
    // Sorted by another column the new rows land anywhere: one layout change, persistent rows follow.
    emit layoutAboutToBeChanged();
    const QModelIndexList persistent = persistentIndexList();
    QList<qint64> seqs;
    for (const auto& i : persistent) {
        const Entry* e = entry(i.row());
        seqs << (e ? e->seq : -1);
    }
    m_maxSeq = newMax;
    m_count += added;
    m_dense = false;
    invalidateCache();
    QModelIndexList to;
    QHash<qint64, int> rows; // one lookup per event, not per column of it
    for (int i = 0; i < persistent.size(); ++i) {
        auto it = rows.constFind(seqs[i]);
        if (it == rows.cend())
            it = rows.insert(seqs[i], seqs[i] > 0 ? rowOfSeq(seqs[i]) : -1);
        const int row = *it;
        to << (row >= 0 ? index(row, persistent[i].column()) : QModelIndex());
    }
    changePersistentIndexList(persistent, to);
    emit layoutChanged();
}

void AuditLogModel::verifyChain()
{
    if (m_verify.isRunning())
        return;
    auto outcome = std::make_shared<VerifyOutcome>();
    m_verifyOutcome = outcome;
    const QString file = m_file;
    m_verify.setFuture(QtConcurrent::run([file, outcome] {
        const QString name
            = QStringLiteral("lapse-verify-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(file);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
            if (!db.open()) {
                outcome->reason = QCoreApplication::translate("lapse::AuditLogModel", "cannot open %1: %2")
                                      .arg(file, db.lastError().text());
            } else {
                QString reason;
                qint64 breakSeq = 0;
                const Result<qint64> r = SqliteStore::verifyChain(db, &reason, &breakSeq);
                if (!r) {
                    outcome->reason = reason.isEmpty() ? r.error().message : reason;
                    if (breakSeq > 0)
                        outcome->upTo = breakSeq - 1;
                } else {
                    outcome->upTo = r.value();
                    outcome->ok = breakSeq == 0 && reason.isEmpty();
                    outcome->reason = reason;
                }
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }));
}

} // namespace lapse
