// report.pdf: the cover and the chart pages are painted directly; the long parts (controls, exceptions, the
// sample) are laid out by QTextDocument on pages the size of the body, so table header rows repeat on every
// page, and every page gets the same header and "page X of Y" footer.
#include "EvidenceReport.h"

#include "InsightCharts.h"
#include "core/Clock.h"
#include "insights/InsightTables.h"
#include "itemmodels/TimeFormat.h"

#include <QAbstractAxis>
#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QChart>
#include <QCoreApplication>
#include <QDateTime>
#include <QGraphicsScene>
#include <QJsonArray>
#include <QLegend>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextLayout>
#include <QTextTable>
#include <QValueAxis>

#include <cmath>

#include <functional>
#include <memory>

namespace lapse
{

namespace
{

constexpr int kDpi = 300;
// The fonts a Debian machine with fonts-dejavu-core has; Qt embeds the subsets it uses.
const char* const kSans = "DejaVu Sans";
const char* const kMono = "DejaVu Sans Mono";

double mm(double v)
{
    return v / 25.4 * kDpi;
}

QString utc(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate) : QStringLiteral("—");
}

QString utcMs(qint64 ms)
{
    return ms > 0 ? Clock::toIso(ms) : QStringLiteral("—");
}

QFont font(double points, bool bold = false, const char* family = kSans)
{
    QFont f(QString::fromLatin1(family));
    f.setPointSizeF(points);
    f.setBold(bold);
    f.setStyleHint(family == kMono ? QFont::Monospace : QFont::SansSerif);
    // Any letter spacing turns ligatures off: "fi" stays two letters, so copied or searched text matches.
    f.setLetterSpacing(QFont::AbsoluteSpacing, 0.05); // a 1/6000 inch: invisible
    return f;
}

struct Section {
    QString title;
    QTextBlock block; // its heading in the body document
    int page = 0; // 1-based, in the whole report
};

// One report being written. The class gives tr() the "EvidenceReport" context.
class ReportWriter
{
    Q_DECLARE_TR_FUNCTIONS(EvidenceReport)

public:
    explicit ReportWriter(const EvidenceData& data)
        : m_data(data)
        , m_tables(insightTables(data.metrics))
    {
    }

    Result<QByteArray> render();

private:
    // A part of the report: a number of pages and how to paint one of them into the body rectangle.
    struct Part {
        int pages = 0;
        std::function<void(QPainter&, int page, const QRectF& body)> paint;
    };

    std::unique_ptr<QTextDocument> newDocument(QPaintDevice* device) const;
    void buildCover(QTextCursor& c) const;
    void buildControls(QTextCursor& c);
    void buildExceptions(QTextCursor& c);
    void buildReviews(QTextCursor& c);
    void buildSample(QTextCursor& c);
    void paintChartPage(QPainter& p, int page, const QRectF& body) const;
    void paintChart(
        QPainter& p, QChart* chart, const QString& title, const QString& figures, const QRectF& rect) const;
    QStringList chartFigures(const QString& name) const;
    void paintFrame(QPainter& p, int page, int pages, const QRectF& pageRect) const;
    static Part documentPart(QTextDocument* doc);

    // Building blocks of the documents.
    void heading(QTextCursor& c, const QString& text, int level, bool newPage = false, bool listed = true);
    static void paragraph(QTextCursor& c, const QString& text, const QTextCharFormat& format = {});
    static QTextTable* table(QTextCursor& c, const QStringList& header, const QList<QStringList>& rows,
        const QList<double>& widths, const QList<int>& monoColumns = {});

    int chartPages() const;

    const EvidenceData& m_data;
    const QHash<QString, DataTable> m_tables;
    QList<Section> m_sections;
    QSizeF m_bodySize;
};

std::unique_ptr<QTextDocument> ReportWriter::newDocument(QPaintDevice* device) const
{
    auto doc = std::make_unique<QTextDocument>();
    doc->documentLayout()->setPaintDevice(device); // lay out in the PDF's units, not the screen's
    doc->setDefaultFont(font(9));
    doc->setDocumentMargin(0);
    doc->setPageSize(m_bodySize);
    doc->setUndoRedoEnabled(false);
    return doc;
}

void ReportWriter::heading(QTextCursor& c, const QString& text, int level, bool newPage, bool listed)
{
    QTextBlockFormat block;
    block.setTopMargin(level == 1 ? 0 : 10);
    block.setBottomMargin(4);
    if (newPage)
        block.setPageBreakPolicy(QTextFormat::PageBreak_AlwaysBefore);
    QTextCharFormat chars;
    chars.setFont(font(level == 1 ? 15 : 11.5, true));
    if (!c.atStart())
        c.insertBlock(block, chars);
    else {
        c.setBlockFormat(block);
        c.setBlockCharFormat(chars);
    }
    c.insertText(text, chars);
    if (listed)
        m_sections << Section {text, c.block()};
}

void ReportWriter::paragraph(QTextCursor& c, const QString& text, const QTextCharFormat& format)
{
    QTextBlockFormat block;
    block.setBottomMargin(4);
    QTextCharFormat chars = format;
    if (!chars.hasProperty(QTextFormat::FontFamilies))
        chars.setFont(font(9));
    c.insertBlock(block, chars);
    c.insertText(text, chars);
}

QTextTable* ReportWriter::table(QTextCursor& c, const QStringList& header, const QList<QStringList>& rows,
    const QList<double>& widths, const QList<int>& monoColumns)
{
    const int headerRows = header.isEmpty() ? 0 : 1;
    QTextTableFormat f;
    f.setHeaderRowCount(headerRows); // repeated at the top of every page the table spans
    f.setCellPadding(2.5);
    f.setCellSpacing(0);
    f.setBorder(0.5);
    f.setBorderBrush(QColor(0x99, 0x99, 0x99));
    f.setBorderCollapse(true);
    f.setWidth(QTextLength(QTextLength::PercentageLength, 100));
    QList<QTextLength> constraints;
    for (double w : widths)
        constraints << QTextLength(QTextLength::PercentageLength, w);
    f.setColumnWidthConstraints(constraints);
    f.setTopMargin(2);
    f.setBottomMargin(6);
    c.movePosition(QTextCursor::End);
    QTextTable* t = c.insertTable(int(rows.size()) + headerRows, int(widths.size()), f);

    QTextCharFormat headChars;
    headChars.setFont(font(8, true));
    QTextCharFormat cellChars;
    cellChars.setFont(font(8));
    QTextCharFormat monoChars;
    monoChars.setFont(font(7, false, kMono));
    if (headerRows) {
        for (int col = 0; col < header.size(); ++col) {
            QTextTableCell cell = t->cellAt(0, col);
            QTextCharFormat bg = cell.format();
            bg.setBackground(QColor(0xe4, 0xe8, 0xee));
            cell.setFormat(bg);
            cell.firstCursorPosition().insertText(header.at(col), headChars);
        }
    }
    for (int r = 0; r < rows.size(); ++r)
        for (int col = 0; col < rows.at(r).size() && col < widths.size(); ++col)
            t->cellAt(r + headerRows, col)
                .firstCursorPosition()
                .insertText(rows.at(r).at(col), monoColumns.contains(col) ? monoChars : cellChars);
    c.movePosition(QTextCursor::End);
    return t;
}

void ReportWriter::buildCover(QTextCursor& c) const
{
    const EvidenceScope& s = m_data.scope;
    QTextBlockFormat titleBlock;
    titleBlock.setBottomMargin(2);
    QTextCharFormat title;
    title.setFont(font(20, true));
    c.setBlockFormat(titleBlock);
    c.insertText(tr("Lapse evidence pack"), title);
    QTextCharFormat sub;
    sub.setFont(font(11));
    sub.setForeground(QColor(0x44, 0x44, 0x44));
    paragraph(c,
        tr("Privileged access granted just in time on %1, %2 to %3 (UTC, end exclusive)")
            .arg(s.targets.isEmpty() ? tr("all targets") : s.targets.join(QStringLiteral(", ")),
                utc(s.fromMs), utc(s.toMs)),
        sub);
    if (m_data.grantCount == 0 && m_data.grants.isEmpty()) {
        QTextCharFormat none;
        none.setFont(font(11, true));
        paragraph(c, tr("No grants in this period."), none);
    }

    QTextCharFormat h;
    h.setFont(font(11.5, true));
    const auto subheading = [&](const QString& text) {
        QTextBlockFormat b;
        b.setTopMargin(10);
        b.setBottomMargin(3);
        c.insertBlock(b, h);
        c.insertText(text, h);
    };
    const auto keyValues = [&](const QList<QStringList>& rows, const QList<int>& monoColumns = {}) {
        QTextTable* t = table(c, {}, rows, {28, 72}, monoColumns);
        QTextTableFormat f = t->format();
        f.setBorder(0);
        t->setFormat(f);
    };

    subheading(tr("Scope"));
    keyValues({{tr("Period (UTC)"), tr("%1 to %2, end exclusive").arg(utc(s.fromMs), utc(s.toMs))},
        {tr("Targets"), s.targets.isEmpty() ? tr("all") : s.targets.join(QStringLiteral(", "))},
        {tr("Identity kinds"), s.kinds.isEmpty() ? tr("all") : s.kinds.join(QStringLiteral(", "))},
        {tr("Scope label"), s.label()},
        {tr("In the pack"),
            tr("%1 grants, %2 requests, %3 events, %4 exceptions, a sample of %5 grants (seed %6)")
                .arg(std::max<qint64>(m_data.grantCount, m_data.grants.size()))
                .arg(std::max<qint64>(m_data.requestCount, m_data.requests.size()))
                .arg(m_data.eventCount)
                .arg(m_data.exceptions.size())
                .arg(m_data.sample.size())
                .arg(m_data.seed)}});

    subheading(tr("Made"));
    keyValues({{tr("When (UTC)"), utc(m_data.generatedMs)},
        {tr("By"), m_data.generatedBy.isEmpty() ? tr("unknown") : m_data.generatedBy},
        {tr("With"), m_data.generator.isEmpty() ? tr("lapse") : m_data.generator}});

    subheading(tr("Anchored to the signed checkpoint"));
    keyValues({{tr("Log origin"), m_data.origin}, {tr("Tree size"), QString::number(m_data.treeSize)},
                  {tr("Root hash (base64)"), QString::fromLatin1(m_data.rootBase64)},
                  {tr("Log key (vkey)"), m_data.logKeyVkey},
                  {tr("Events covered"),
                      m_data.firstSeq > 0 ? tr("seq %1 to %2").arg(m_data.firstSeq).arg(m_data.lastSeq)
                                          : tr("none")}},
        {1});
    paragraph(c,
        tr("checkpoint.txt holds this checkpoint as signed; log-key.vkey is the key that verifies it. Every "
           "event in events.jsonl has an inclusion proof against it in proofs/."));

    subheading(tr("Data digest"));
    keyValues({{tr("SHA-256"), QString::fromLatin1(m_data.dataDigest)}}, {1});
    paragraph(c,
        tr("This is the SHA-256 of the sha256sum listing, sorted by file name, of every data file in the "
           "pack: "
           "all files but report.pdf, manifest.json and manifest.sig. A manifest cannot list its own hash, "
           "and "
           "this report is listed in it, so the report shows this digest instead. manifest.json holds the "
           "SHA-256 of every other file, this report included, and manifest.sig is its signature by the log "
           "key: together they bind this report to the data."));

    subheading(tr("Contents"));
    QList<QStringList> toc;
    for (const Section& section : m_sections)
        toc << QStringList {section.title, QString::number(section.page)};
    QTextTable* t = table(c, {}, toc, {88, 12});
    QTextTableFormat f = t->format();
    f.setBorder(0);
    t->setFormat(f);
}

void ReportWriter::buildControls(QTextCursor& c)
{
    heading(c, tr("Control mapping"), 1);
    paragraph(c,
        tr("What in this pack evidences each control. The pack shows how access was granted, used and ended "
           "in the period; it does not by itself show that a control is designed or operating effectively."));
    const QString sectionExceptions = tr("section “Exceptions” of this report");
    const QString sectionSample = tr("section “Sample” of this report");
    const QList<QStringList> rows {
        {tr("NIST SP 800-53 Rev. 5"), QStringLiteral("AC-2(2)"),
            tr("Temporary and emergency access is granted for a fixed window and ends on its own: each grant "
               "has an approved TTL, an expiry fixed at approval and a recorded end (completed, revoked or "
               "expired); break-glass grants are the emergency case."),
            tr("grants.csv columns expires_at, ended_at, ending, break_glass; %1").arg(sectionExceptions)},
        {tr("NIST SP 800-53 Rev. 5"), QStringLiteral("AC-6"),
            tr("Least privilege: for each grant the privileges requested, approved and declared as the "
               "task's "
               "minimum, and how many approved privileges went beyond that minimum."),
            tr("grants.csv columns requested_privileges, approved_privileges, minimum_privileges, "
               "excess_privileges; chart “Grant "
               "width”")},
        {tr("NIST SP 800-53 Rev. 5"), QStringLiteral("AU-9(3)"),
            tr("Audit information is protected cryptographically: the events are leaves of a Merkle tree "
               "whose "
               "checkpoint is signed by the log key; each event has an inclusion proof against it and the "
               "pack's manifest is signed by the same key."),
            tr("checkpoint.txt (signature), log-key.vkey, proofs/, events.jsonl (hash of each event), "
               "manifest.json + manifest.sig")},
        {tr("NIST SP 800-53 Rev. 5"), QStringLiteral("AU-10"),
            tr("Every event names its actor as the broker authenticated it (approvals name the approver, "
               "automatic decisions the policy); the signed checkpoint and the proofs show the events are in "
               "the log unchanged. The events are not signed by the actors themselves."),
            tr("events.jsonl (actor of each event), checkpoint.txt, proofs/; timelines in %1")
                .arg(sectionSample)},
        {tr("NIST CSF 2.0"), QStringLiteral("PR.AA-05"),
            tr("Access permissions are managed per request: approved by someone other than the requester, by "
               "a named directory rule (approved_by policy:<rule>, its digest in the events) or by the "
               "break-glass policy with a review afterwards, limited in time, with requested, approved and "
               "minimum privileges recorded."),
            tr("grants.csv columns principal, approved_by, approved_privileges, minimum_privileges; "
               "requests.csv; %1")
                .arg(sectionExceptions)},
        {tr("SOC 2 (2017 TSC)"), QStringLiteral("CC6.1"),
            tr("Access to the targets in scope is issued as grants: a short-lived credential per approved "
               "request, and the sessions opened with it as the resource servers reported them."),
            tr("grants.csv; events.jsonl (credential and session events)")},
        {tr("SOC 2 (2017 TSC)"), QStringLiteral("CC6.2"),
            tr("Every credential follows an authorized request: requests.csv lists each request in the "
               "period "
               "whatever became of it, with its approvals; each grant names the request it came from."),
            tr("requests.csv; grants.csv columns request_id, approved_by; events.jsonl")},
        {tr("SOC 2 (2017 TSC)"), QStringLiteral("CC6.3"),
            tr("Access is removed at expiry or on revocation; the time from a revocation until its sessions "
               "were confirmed closed, sessions left open and privileges beyond the minimum are measured."),
            tr("grants.csv columns ending, ended_at, revocation_effect_ms; chart “Revocation”; %1")
                .arg(sectionExceptions)},
        {tr("ISO/IEC 27001:2022"), QStringLiteral("A.5.18"),
            tr("Access rights are provided on request and approval, removed when the window ends, and "
               "emergency access is reviewed; repeated elevations point at rights that may need redesign."),
            tr("requests.csv; grants.csv; reviews.csv; %1 (break-glass, repeated elevation); section “Access "
               "reviews”")
                .arg(sectionExceptions)},
        {tr("ISO/IEC 27001:2022"), QStringLiteral("A.8.2"),
            tr("Privileged access is restricted and managed: each elevation is requested for a task with a "
               "reason (and a ticket where the target asks for one), approved, time-limited and logged."),
            tr("grants.csv columns task, reason, ticket, approved_by; %1").arg(sectionSample)},
        {tr("PCI DSS 4.0"), QStringLiteral("7.2.4"),
            tr("Input to the periodic review of accounts and access privileges: every grant in the period "
               "with "
               "who, what, how long and approved by whom. The review itself is the reviewer's."),
            tr("grants.csv; chart “Grants by identity”; %1 (repeated elevation); reviews.csv and section "
               "“Access reviews” (the owners' decisions)")
                .arg(sectionExceptions)},
        {tr("PCI DSS 4.0"), QStringLiteral("10.2"),
            tr("Audit logs record each access event with its time, type, actor and subject; the inclusion "
               "proofs show each event is in the signed log as recorded."),
            tr("events.jsonl; proofs/; checkpoint.txt")},
    };
    table(c, {tr("Framework"), tr("Control"), tr("What the pack shows"), tr("Evidence in the pack")}, rows,
        {15, 10, 45, 30});
}

void ReportWriter::buildExceptions(QTextCursor& c)
{
    heading(c, tr("Exceptions"), 1, true);
    paragraph(c,
        tr("%1 exceptions in total. The report lists at most %2 per category; all of them are in grants.csv.")
            .arg(m_data.exceptions.size())
            .arg(kReportExceptionRows));
    struct Category {
        const char* id;
        QString title;
        QString columns; // where grants.csv shows them
    };
    const QList<Category> categories {
        {"break_glass", tr("Break-glass grants and their review"), QStringLiteral("break_glass, reviewed")},
        {"lingering_session", tr("Lingering sessions: open after their grant ended"),
            QStringLiteral("lingering_seconds, sessions_unconfirmed")},
        {"post_expiry_use", tr("Credential uses after the grant ended"), QStringLiteral("post_expiry_uses")},
        {"unconfirmed_revocation", tr("Revocations whose sessions were never confirmed closed"),
            QStringLiteral("ending, revocation_effect_ms")},
        {"repeated_elevation", tr("Repeated-elevation candidates"),
            QStringLiteral("principal, target, approved_privileges")},
        {"incomplete_record", tr("Incomplete records"),
            QStringLiteral("task, reason, ticket, approved_by, owner")},
    };
    QHash<QString, QList<const EvidenceException*>> byCategory;
    QStringList order;
    for (const auto& category : categories)
        order << QString::fromLatin1(category.id);
    for (const EvidenceException& e : m_data.exceptions) {
        if (!order.contains(e.category))
            order << e.category; // one the renderer does not know yet still shows
        byCategory[e.category] << &e;
    }
    for (const QString& id : order) {
        QString title = id, columns;
        for (const auto& category : categories)
            if (id == QLatin1String(category.id)) {
                title = category.title;
                columns = category.columns;
            }
        const auto& list = byCategory.value(id);
        heading(c, tr("%1 (%2)").arg(title).arg(list.size()), 2);
        if (list.isEmpty()) {
            paragraph(c, tr("None."));
            continue;
        }
        QList<QStringList> rows;
        for (const EvidenceException* e : list.mid(0, kReportExceptionRows))
            rows << QStringList {e->subject, e->principal, e->target, e->detail,
                e->seq > 0 ? QString::number(e->seq) : QStringLiteral("—")};
        const QString subject = id == QLatin1String("lingering_session") ? tr("Session") : tr("Grant");
        table(c, {subject, tr("Principal"), tr("Target"), tr("Detail"), tr("Seq")}, rows, {31, 14, 13, 34, 8},
            {0});
        if (list.size() > kReportExceptionRows)
            paragraph(c,
                columns.isEmpty()
                    ? tr("… and %1 more — all in grants.csv.").arg(list.size() - kReportExceptionRows)
                    : tr("… and %1 more — all in grants.csv (columns %2).")
                          .arg(list.size() - kReportExceptionRows)
                          .arg(columns));
    }
}

void ReportWriter::buildReviews(QTextCursor& c)
{
    heading(c, tr("Access reviews"), 1, true);
    const int candidates = m_data.metrics.value(QLatin1String("elevation_frequency"))
                               .toObject()
                               .value(QLatin1String("repeated"))
                               .toArray()
                               .size();
    paragraph(c,
        tr("Decisions the owners recorded on repeated elevations (review.decided events, each in "
           "events.jsonl "
           "with its proof, all in reviews.csv): keep asking just in time, convert to a policy rule, or "
           "grant "
           "a narrow standing entitlement outside Lapse. The period has %1 repeated-elevation candidates; %2 "
           "decisions concern it.")
            .arg(candidates)
            .arg(m_data.reviews.size()));
    if (m_data.reviews.isEmpty()) {
        paragraph(c, tr("None recorded."));
        return;
    }
    QList<QStringList> rows;
    for (const ReviewDecision& r : m_data.reviews)
        rows << QStringList {
            QStringLiteral("%1 · %2 [%3]").arg(r.identity, r.target, r.privileges.join(QLatin1Char(' '))),
            r.outcome, r.reviewer, r.comment, QString::number(r.seq)};
    table(c, {tr("Identity · target [privileges]"), tr("Outcome"), tr("Reviewer"), tr("Comment"), tr("Seq")},
        rows, {30, 16, 12, 34, 8}, {4});
}

void ReportWriter::buildSample(QTextCursor& c)
{
    heading(c, tr("Sample"), 1, true);
    if (m_data.grantCount == 0 && m_data.grants.isEmpty()) {
        paragraph(c, tr("No grants in this period."));
        return;
    }
    paragraph(c,
        tr("%1 of the %2 grants in scope, drawn at random with seed %3, in the order drawn. Each grant's "
           "timeline lists every event of the grant, its request and its sessions.")
            .arg(m_data.sample.size())
            .arg(m_data.grants.size())
            .arg(m_data.seed));
    QTextCharFormat mono;
    mono.setFont(font(8.5, false, kMono));
    paragraph(c, tr("To redraw the same sample:"));
    paragraph(c,
        QStringLiteral("lapsectl evidence export ... --sample %1 --seed %2")
            .arg(m_data.scope.sampleSize)
            .arg(m_data.seed),
        mono);

    const auto yesNo = [](bool b) { return b ? tr("yes") : tr("no"); };
    const auto seq = [](qint64 n) { return n > 0 ? QString::number(n) : QStringLiteral("—"); };
    const auto list
        = [](const QStringList& l) { return l.isEmpty() ? tr("none") : l.join(QStringLiteral(", ")); };
    for (int i = 0; i < m_data.sample.size(); ++i) {
        const int index = m_data.sample.at(i);
        if (index < 0 || index >= m_data.grants.size())
            continue;
        const GrantRecord& r = m_data.grants.at(index);
        const Grant& g = r.grant;
        heading(c, tr("Sample %1 of %2: grant %3").arg(i + 1).arg(m_data.sample.size()).arg(g.id), 2, true,
            false);
        QString effect;
        if (r.ending != QLatin1String("revoked"))
            effect = tr("not revoked");
        else if (r.revocationEffectMs == -1)
            effect = tr("no session open at the revocation");
        else if (r.revocationEffectMs == -2)
            effect = tr("a session is still not confirmed closed");
        else
            effect = timefmt::duration(r.revocationEffectMs);
        QString ending = r.ending;
        if (!g.endedBy.isEmpty())
            ending += tr(" by %1").arg(g.endedBy);
        if (!g.endReason.isEmpty())
            ending += QStringLiteral(" — ") + g.endReason;
        const QList<QStringList> fields {
            {tr("Principal"), g.principal},
            {tr("Kind"), r.kind.isEmpty() ? tr("unknown") : r.kind},
            {tr("Owner"), r.owner.isEmpty() ? tr("none") : r.owner},
            {tr("Target"), g.target},
            {tr("Privileges requested"), list(g.requestedPrivileges)},
            {tr("Privileges approved"), list(g.privileges)},
            {tr("Minimum privileges"), g.minPrivileges ? list(*g.minPrivileges) : tr("not declared")},
            {tr("Task"), g.task.isEmpty() ? tr("none") : g.task},
            {tr("Reason"), g.reason.isEmpty() ? tr("none") : g.reason},
            {tr("Ticket"), g.ticket.isEmpty() ? tr("none") : g.ticket},
            {tr("Request"), g.requestId},
            {tr("Approved by"), r.approvedBy.isEmpty() ? tr("none") : r.approvedBy},
            {tr("Break-glass"), g.breakGlass ? tr("yes, reviewed: %1").arg(yesNo(g.reviewed)) : tr("no")},
            {tr("Requested (UTC)"), utc(r.requestedMs)},
            {tr("Approved (UTC)"), utc(r.approvedMs)},
            {tr("Start (UTC)"), utc(g.startsMs)},
            {tr("Expiry (UTC)"), utc(g.expiresMs)},
            {tr("End (UTC)"), utc(g.endedMs)},
            {tr("Ending"), ending},
            {tr("Revocation time to effect"), effect},
            {tr("Sessions"),
                r.unconfirmedSessions
                    ? tr("%1, %2 still open after the grant ended").arg(r.sessions).arg(r.unconfirmedSessions)
                    : QString::number(r.sessions)},
            {tr("Lingering"), r.lingeringMs > 0 ? timefmt::duration(r.lingeringMs) : tr("none")},
            {tr("Post-expiry uses"), QString::number(r.postExpiryUses)},
            {tr("Lifecycle events (seq)"),
                tr("requested %1, approved %2, active %3, ended %4, reviewed %5")
                    .arg(seq(r.createdSeq), seq(r.approvedSeq), seq(r.activatedSeq), seq(r.endedSeq),
                        seq(r.reviewedSeq))},
        };
        table(c, {}, fields, {28, 72});
        if (!r.sessionList.isEmpty()) {
            QList<QStringList> sessions;
            for (const Session& session : r.sessionList) {
                QString lingered = tr("none");
                if (session.grantEndedMs > 0 && session.isOpen())
                    lingered = tr("still open");
                else if (session.grantEndedMs > 0 && session.endedMs > session.grantEndedMs)
                    lingered = timefmt::duration(session.endedMs - session.grantEndedMs);
                sessions << QStringList {session.id, session.resourceServer, utcMs(session.openedMs),
                    session.isOpen() ? tr("open") : utcMs(session.endedMs), lingered};
            }
            table(c,
                {tr("Session"), tr("Reported by"), tr("Opened (UTC)"), tr("Closed (UTC)"), tr("Lingering")},
                sessions, {30, 11, 22.5, 22.5, 14}, {0, 2, 3});
        }
        QList<QStringList> events;
        for (const TimelineEntry& e : r.timeline)
            events << QStringList {QString::number(e.seq), utcMs(e.tsMs), e.type, e.actor, e.subject};
        if (events.isEmpty())
            paragraph(c, tr("No events."));
        else
            table(c, {tr("Seq"), tr("Time (UTC)"), tr("Event"), tr("Actor"), tr("Subject")}, events,
                {7, 23, 24, 16, 30}, {1, 4});
    }
}

int ReportWriter::chartPages() const
{
    return m_data.grants.isEmpty() ? 1 : 3;
}

QStringList ReportWriter::chartFigures(const QString& name) const
{
    const QJsonObject& m = m_data.metrics;
    const QJsonObject ef = m[QLatin1String("elevation_frequency")].toObject();
    const QJsonObject w = m[QLatin1String("grant_width")].toObject();
    const QJsonObject l = m[QLatin1String("lingering_sessions")].toObject();
    const QJsonObject r = m[QLatin1String("revocation")].toObject();
    const QJsonObject d = m[QLatin1String("duration")].toObject();
    const QJsonObject co = m[QLatin1String("completeness")].toObject();
    const auto n = [](const QJsonObject& o, const char* key) {
        return QString::number(o[QLatin1String(key)].toInteger());
    };
    const auto seconds = [](double s) { return timefmt::duration(qint64(s * 1000.0)); };
    if (name == QLatin1String("grants_per_day")) {
        qint64 busiest = 0;
        QString day;
        for (const auto& row : m_tables.value(name).rows)
            if (row.value(1).toLongLong() > busiest) {
                busiest = row.value(1).toLongLong();
                day = row.value(0).toString();
            }
        QStringList out {tr("%1 grants on %2 days, %3 by break-glass.")
                             .arg(n(ef, "grants"))
                             .arg(m_tables.value(name).rows.size())
                             .arg(n(d, "break_glass"))};
        if (busiest > 0)
            out << tr("Busiest day: %1 with %2 grants.").arg(day).arg(busiest);
        return out;
    }
    if (name == QLatin1String("by_identity")) {
        QStringList top;
        for (const auto& row : m_tables.value(name).rows.mid(0, 3))
            top << tr("%1 (%2)").arg(row.value(0).toString()).arg(row.value(1).toLongLong());
        return {tr("%1 identities; most grants: %2.")
                    .arg(ef[QLatin1String("by_identity")].toArray().size())
                    .arg(top.isEmpty() ? tr("none") : top.join(QStringLiteral(", "))),
            tr("%1 repeated-elevation candidates: the same identity, target and privileges %2 times or more "
               "within %3 days.")
                .arg(ef[QLatin1String("repeated")].toArray().size())
                .arg(n(ef, "repeat_threshold"))
                .arg(ef[QLatin1String("repeat_window_days")].toDouble())};
    }
    if (name == QLatin1String("width"))
        return {tr("%1 of %2 grants declared a minimum: %3 approved privileges beyond it, %4 grants narrowed "
                   "by the approver.")
                    .arg(n(w, "with_minimum"), n(w, "grants"), n(w, "excess_privileges"), n(w, "narrowed")),
            tr("%1 grants with usage reported: %2 approved privileges never used.")
                .arg(n(w, "with_usage"), n(w, "unused_privileges"))};
    if (name == QLatin1String("lingering"))
        return {
            tr("%1 sessions open after their grant ended, %2 in total; %3 still open when the metrics were "
               "computed.")
                .arg(n(l, "count"))
                .arg(seconds(l[QLatin1String("total_seconds")].toDouble()))
                .arg(l[QLatin1String("open_now")].toArray().size()),
            tr("%1 credential uses after the grant ended.").arg(n(l, "post_expiry_uses"))};
    if (name == QLatin1String("revocation"))
        return {tr("%1 revocations. Introspection refuses the credential from the revocation on (0 s).")
                    .arg(n(r, "count")),
            tr("Until the last session was confirmed closed: p50 %1 s, p99 %2 s; %3 revocations with "
               "sessions "
               "still unconfirmed.")
                .arg(r[QLatin1String("p50_ms")].toDouble() / 1000.0, 0, 'f', 1)
                .arg(r[QLatin1String("p99_ms")].toDouble() / 1000.0, 0, 'f', 1)
                .arg(n(r, "sessions_unconfirmed"))};
    // endings
    return {tr("%1 grants ended: %2 completed early, %3 expired, %4 revoked; %5 by break-glass.")
                .arg(n(d, "ended"), n(d, "completed"), n(d, "expired"), n(d, "revoked"), n(d, "break_glass")),
        tr("Used %1 of %2 approved; %3 of %4 records complete (task, reason, approver or policy, expiry and "
           "an owner).")
            .arg(seconds(d[QLatin1String("used_seconds")].toDouble()))
            .arg(seconds(d[QLatin1String("approved_ttl_seconds")].toDouble()))
            .arg(n(co, "complete"), n(co, "grants"))};
}

void ReportWriter::paintChart(
    QPainter& p, QChart* chart, const QString& title, const QString& figures, const QRectF& rect) const
{
    p.save();
    p.setPen(Qt::black);
    p.setFont(font(11.5, true));
    QRectF used;
    p.drawText(rect, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, title, &used);
    double y = used.bottom() + mm(1.5);
    p.setFont(font(9));
    p.drawText(QRectF(rect.left(), y, rect.width(), rect.bottom() - y),
        Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, figures, &used);
    y = used.bottom() + mm(2);
    const QRectF target(rect.left(), y, rect.width(), rect.bottom() - y);

    // The chart lays itself out at screen size (96 dpi) and is drawn scaled into the page, as vectors.
    const double scale = 96.0 / kDpi;
    QGraphicsScene scene;
    chart->setAnimationOptions(QChart::NoAnimation);
    const QFont labels = font(8);
    chart->setTitleFont(font(9));
    chart->legend()->setFont(labels);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsFont(labels);
        axis->setTitleFont(labels);
        // Counts get whole-number ticks: a small range would otherwise print "0, 0, 1, 1, 1".
        auto* values = qobject_cast<QValueAxis*>(axis);
        if (values && values->labelFormat() == QLatin1String("%.0f")) {
            double step = 1;
            while (values->max() / step > 8)
                step *= (QString::number(step).startsWith(QLatin1Char('2')) ? 2.5 : 2);
            values->setRange(0, std::ceil(values->max() / step) * step);
            values->setTickType(QValueAxis::TicksDynamic);
            values->setTickAnchor(0);
            values->setTickInterval(step);
        }
    }
    scene.addItem(chart); // the scene owns it from here
    const QRectF source(0, 0, target.width() * scale, target.height() * scale);
    chart->setGeometry(source);
    scene.setSceneRect(source);
    scene.render(&p, target, source, Qt::IgnoreAspectRatio);
    p.setPen(QPen(QColor(0xcc, 0xcc, 0xcc), 2));
    p.setBrush(Qt::NoBrush);
    p.drawRect(target);
    p.restore();
}

void ReportWriter::paintChartPage(QPainter& p, int page, const QRectF& body) const
{
    double top = body.top();
    if (page == 0) {
        p.setPen(Qt::black);
        p.setFont(font(15, true));
        QRectF used;
        p.drawText(body, Qt::AlignLeft | Qt::AlignTop, tr("The six insight metrics"), &used);
        top = used.bottom() + mm(2);
        p.setFont(font(9));
        QString intro
            = tr("The numbers the console's Insights tab shows for this scope, computed by the same "
                 "implementation (lapsectl metrics).");
        if (!m_data.metricsNote.isEmpty())
            intro += QLatin1Char(' ') + m_data.metricsNote;
        if (m_data.grants.isEmpty())
            intro += QLatin1Char(' ') + tr("No grants in this period.");
        p.drawText(QRectF(body.left(), top, body.width(), body.bottom() - top),
            Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, intro, &used);
        top = used.bottom() + mm(5);
    }
    if (m_data.grants.isEmpty())
        return;
    struct ChartSpec {
        QString name, title;
        std::function<QChart*()> make;
    };
    const QList<ChartSpec> charts {
        {QStringLiteral("grants_per_day"), tr("1. Elevations per day"),
            [this] { return InsightCharts::grantsPerDay(m_tables); }},
        {QStringLiteral("by_identity"), tr("2. Grants by identity (top twelve)"),
            [this] { return InsightCharts::byIdentity(m_tables); }},
        {QStringLiteral("width"), tr("3. Grant width"), [this] { return InsightCharts::width(m_tables); }},
        {QStringLiteral("lingering"), tr("4. Lingering sessions and post-expiry uses per day"),
            [this] { return InsightCharts::lingering(m_tables); }},
        {QStringLiteral("revocation"), tr("5. Revocation: time until sessions confirmed closed"),
            [this] { return InsightCharts::revocation(m_tables, m_data.metrics); }},
        {QStringLiteral("endings"), tr("6. How grants ended"),
            [this] { return InsightCharts::endings(m_data.metrics); }},
    };
    const double gap = mm(6);
    const double height = (body.bottom() - top - gap) / 2;
    for (int slot = 0; slot < 2; ++slot) {
        const ChartSpec& spec = charts.at(page * 2 + slot);
        const QRectF rect(body.left(), top + slot * (height + gap), body.width(), height);
        paintChart(p, spec.make(), spec.title, chartFigures(spec.name).join(QLatin1Char(' ')), rect);
    }
}

void ReportWriter::paintFrame(QPainter& p, int page, int pages, const QRectF& pageRect) const
{
    p.save();
    const double left = mm(18), right = pageRect.width() - mm(18);
    p.setPen(QColor(0x55, 0x55, 0x55));
    p.setFont(font(8));
    const QRectF head(left, mm(9), right - left, mm(6));
    p.drawText(
        head, Qt::AlignLeft | Qt::AlignBottom, tr("Lapse evidence pack — %1").arg(m_data.scope.label()));
    p.drawText(head, Qt::AlignRight | Qt::AlignBottom,
        tr("%1 to %2").arg(utc(m_data.scope.fromMs), utc(m_data.scope.toMs)));
    p.setPen(QPen(QColor(0xaa, 0xaa, 0xaa), 2));
    p.drawLine(QPointF(left, mm(16)), QPointF(right, mm(16)));
    p.drawLine(QPointF(left, pageRect.height() - mm(16)), QPointF(right, pageRect.height() - mm(16)));
    p.setPen(QColor(0x55, 0x55, 0x55));
    const QRectF foot(left, pageRect.height() - mm(15), right - left, mm(6));
    p.drawText(foot, Qt::AlignLeft | Qt::AlignTop,
        tr("Data digest %1…").arg(QString::fromLatin1(m_data.dataDigest.left(16))));
    p.drawText(foot, Qt::AlignRight | Qt::AlignTop, tr("page %1 of %2").arg(page).arg(pages));
    p.restore();
}

ReportWriter::Part ReportWriter::documentPart(QTextDocument* doc)
{
    Part part;
    part.pages = doc->pageCount();
    part.paint = [doc](QPainter& p, int page, const QRectF& body) {
        // Page `page` of the document is the band [page * h, (page + 1) * h) of its one long layout.
        const QRectF view(0, page * body.height(), body.width(), body.height());
        p.save();
        p.translate(body.left(), body.top() - view.top());
        p.setClipRect(view);
        QAbstractTextDocumentLayout::PaintContext context;
        context.clip = view;
        context.palette.setColor(QPalette::Text, Qt::black);
        doc->documentLayout()->draw(&p, context);
        p.restore();
    };
    return part;
}

Result<QByteArray> ReportWriter::render()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setResolution(kDpi);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0)); // the report draws its own margins, header and footer
    writer.setTitle(tr("Lapse evidence pack — %1, %2 to %3")
                        .arg(m_data.scope.label(), utc(m_data.scope.fromMs), utc(m_data.scope.toMs)));
    writer.setCreator(m_data.generator.isEmpty() ? QStringLiteral("lapse") : m_data.generator);

    const QRectF pageRect(0, 0, writer.width(), writer.height());
    const QRectF body(mm(18), mm(20), pageRect.width() - mm(36), pageRect.height() - mm(40));
    m_bodySize = body.size();

    // The body first: the cover's contents list needs its page numbers.
    auto main = newDocument(&writer);
    {
        QTextCursor c(main.get());
        c.beginEditBlock(); // one layout at the end, not one per insertion

        buildControls(c);
        buildExceptions(c);
        buildReviews(c);
        buildSample(c);
        c.endEditBlock();
    }
    // The cover lists the sections with their pages, which come after the cover: lay it out once to count
    // its pages (the numbers do not change its length), then again with the numbers.
    const auto layOutCover = [&] {
        auto doc = newDocument(&writer);
        QTextCursor c(doc.get());
        c.beginEditBlock();
        buildCover(c);
        c.endEditBlock();
        return doc;
    };
    m_sections.prepend(Section {tr("The six insight metrics"), {}, 0});
    const int coverPages = layOutCover()->pageCount();
    const int before = coverPages + chartPages();
    const double pageHeight = m_bodySize.height();
    m_sections.first().page = coverPages + 1;
    for (Section& s : m_sections)
        if (s.block.isValid()) {
            // The middle of the heading's first line: a block moved to a new page may start a hair before it.
            const QTextLine line = s.block.layout()->lineAt(0);
            const double y
                = main->documentLayout()->blockBoundingRect(s.block).top() + line.y() + line.height() / 2;
            s.page = before + 1 + int(y / pageHeight);
        }
    auto cover = layOutCover();

    QList<Part> parts;
    parts << documentPart(cover.get());
    parts << Part {
        chartPages(), [this](QPainter& p, int page, const QRectF& b) { paintChartPage(p, page, b); }};
    parts << documentPart(main.get());
    int total = 0;
    for (const Part& part : parts)
        total += part.pages;

    QPainter painter;
    if (!painter.begin(&writer))
        return makeError(ErrorCode::Internal, tr("Could not start the PDF report."));
    painter.setRenderHint(QPainter::Antialiasing);
    int number = 0;
    for (const Part& part : parts)
        for (int i = 0; i < part.pages; ++i) {
            if (number > 0 && !writer.newPage())
                return makeError(ErrorCode::Internal, tr("Could not add a page to the PDF report."));
            ++number;
            paintFrame(painter, number, total, pageRect);
            part.paint(painter, i, body);
        }
    if (!painter.end())
        return makeError(ErrorCode::Internal, tr("Could not finish the PDF report."));
    return buffer.data();
}

} // namespace

Result<QByteArray> renderEvidenceReport(const EvidenceData& data)
{
    ReportWriter writer(data);
    return writer.render();
}

} // namespace lapse
