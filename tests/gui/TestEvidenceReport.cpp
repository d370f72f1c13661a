// The evidence pack's report.pdf, read back the way an auditor's tools read it (poppler-utils): every page
// numbered "page X of Y" with Y the real page count, table headers repeated across pages, every control, the
// seed and the sampled grants present, fonts embedded and the text extractable.
#include "EngineFixture.h"
#include "EvidenceReport.h"

#include "metrics/Metrics.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

namespace
{
// Runs a poppler tool; its standard output, or a null array when it failed.
QByteArray run(const QString& tool, const QStringList& args)
{
    QProcess p;
    p.start(tool, args);
    if (!p.waitForFinished(60'000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return {};
    return p.readAllStandardOutput();
}

int pageCount(const QString& pdf)
{
    const QString info = QString::fromUtf8(run(QStringLiteral("pdfinfo"), {pdf}));
    const auto m = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(info);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

QString pageText(const QString& pdf, int page)
{
    return QString::fromUtf8(run(QStringLiteral("pdftotext"),
        {QStringLiteral("-layout"), QStringLiteral("-f"), QString::number(page), QStringLiteral("-l"),
            QString::number(page), pdf, QStringLiteral("-")}));
}
} // namespace

class TestEvidenceReport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    static EvidenceData baseData()
    {
        EvidenceData d;
        d.scope.fromMs = kStartMs - 86'400'000;
        d.scope.toMs = kStartMs + 30LL * 86'400'000;
        d.scope.targets = {QStringLiteral("billing-db"), QStringLiteral("prod-k8s")};
        d.scope.sampleSize = 3;
        d.checkpoint = "lapse.example/log\n1234\nq1w2e3r4t5y6u7i8o9p0==\n\n— lapse.example/log abcd\n";
        d.treeSize = 1234;
        d.origin = QStringLiteral("lapse.example/log");
        d.rootBase64 = "K3lw3bVc5eNQ7l0u3tKyT6N3vS6l5t0kR1YqTqJcS8E=";
        d.logKeyVkey
            = QStringLiteral("lapse.example/log+1a2b3c4d+AUq3gH0mJtq0n6xkqg8Ru8b0S7B5qgZkCq2gS1Yd4Yq7");
        d.generatedMs = kStartMs + 31LL * 86'400'000;
        d.generatedBy = QStringLiteral("aud");
        d.generator = QStringLiteral("lapse 1.0.0");
        d.dataDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        return d;
    }

private slots:
    void initTestCase()
    {
        for (const char* tool : {"pdftotext", "pdfinfo", "pdffonts", "pdfimages"})
            if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty())
                QSKIP(qPrintable(QStringLiteral("%1 is missing: install poppler-utils to check the report")
                                     .arg(QLatin1String(tool))));
        QVERIFY(m_dir.isValid());
    }

    void fullReport()
    {
        // Real metrics from a small history: alice a grant a day for six days, agent-7 every other day, and
        // svc-ci one, revoked with a session open that closes 4 s later.
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        QList<Grant> made;
        for (int day = 0; day < 6; ++day) {
            auto g = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
            LAPSE_VERIFY_OK(g);
            made << g.value();
            if (day % 2 == 0) {
                auto a = f.grantFor(QStringLiteral("agent-7"), QStringLiteral("billing-db"));
                LAPSE_VERIFY_OK(a);
                made << a.value();
            }
            f.clock().advance(86'400'000);
        }
        auto svc = f.grantFor(QStringLiteral("svc-ci"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(svc);
        made << svc.value();
        const Principal& gw = f.who(QStringLiteral("api-gw"));
        auto session = f.engine().openSession(gw, f.token(svc.value()), {QStringLiteral("read")});
        LAPSE_VERIFY_OK(session);
        f.clock().advance(1'000);
        LAPSE_VERIFY_OK(f.engine().revoke(f.who(QStringLiteral("rita")), svc->id, QStringLiteral("done")));
        f.clock().advance(4'000);
        auto closed = f.engine().endSession(gw, session->id, {QStringLiteral("read")});
        LAPSE_VERIFY_OK(closed);
        const int revoked = int(made.size()) - 1;
        MetricsQuery q;
        q.fromMs = kStartMs - 86'400'000;
        auto metrics = computeMetrics(f.engine().store(), f.engine().directory(), q, f.now());
        LAPSE_VERIFY_OK(metrics);

        EvidenceData d = baseData();
        d.metrics = metrics.value();
        d.metricsNote = QStringLiteral("These metrics cover both targets of the scope together.");
        for (int i = 0; i < made.size(); ++i) {
            GrantRecord r;
            r.grant = made.at(i);
            r.kind = i == revoked ? QStringLiteral("service") : QStringLiteral("human");
            r.owner = i == revoked ? QStringLiteral("alice") : QString();
            r.requestedMs = r.grant.startsMs - 5'000;
            r.approvedMs = r.grant.startsMs;
            r.approvedBy = r.grant.approvers.join(QLatin1Char(' '));
            r.createdSeq = 100 + i * 200;
            r.approvedSeq = r.createdSeq + 1;
            r.ending = i == revoked ? QStringLiteral("revoked") : QStringLiteral("expired");
            r.revocationEffectMs = i == revoked ? 4'000 : -1;
            r.sessions = i == revoked ? 1 : 0;
            r.lingeringMs = i == revoked ? 4'000 : 0;
            if (i == revoked)
                r.sessionList << closed.value();
            // Grant 0 has a long timeline, so its table spans pages.
            for (int e = 0; e < (i == 0 ? 120 : 4); ++e)
                r.timeline << TimelineEntry {100 + i * 200 + e, r.grant.startsMs + e * 1000,
                    e == 0 ? QStringLiteral("request.submitted") : QStringLiteral("session.heartbeat"),
                    QStringLiteral("alice"), e == 0 ? r.grant.requestId : r.grant.id};
            d.grants << r;
        }
        d.sample = {2, 0, revoked};
        d.seed = 4242424242ULL;
        d.eventCount = 140;
        d.firstSeq = 100;
        d.lastSeq = 723;
        const QStringList categories {QStringLiteral("break_glass"), QStringLiteral("lingering_session"),
            QStringLiteral("post_expiry_use"), QStringLiteral("unconfirmed_revocation"),
            QStringLiteral("repeated_elevation"), QStringLiteral("incomplete_record")};
        for (int c = 0; c < categories.size(); ++c) {
            const QString& category = categories.at(c);
            // Incomplete records: more than the report lists, so it says how many more and where they are.
            const int n = category == QLatin1String("incomplete_record") ? 260 : 3;
            for (int i = 0; i < n; ++i)
                d.exceptions << EvidenceException {category, QStringLiteral("grt_%1_%2").arg(category).arg(i),
                    QStringLiteral("alice"), QStringLiteral("billing-db"),
                    QStringLiteral("exception %1.%2").arg(c).arg(i), 1000 + i};
        }

        auto pdf = renderEvidenceReport(d);
        LAPSE_VERIFY_OK(pdf);
        QVERIFY(pdf->startsWith("%PDF-"));
        const QString file = m_dir.filePath(QStringLiteral("report.pdf"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(pdf.value());
        out.close();
        if (qEnvironmentVariableIsSet("LAPSE_KEEP_REPORT")) // to look at it: pdftoppm -png report.pdf
            QFile::copy(file, qEnvironmentVariable("LAPSE_KEEP_REPORT"));

        const int pages = pageCount(file);
        QVERIFY2(pages >= 8, qPrintable(QString::number(pages)));
        QStringList text;
        for (int p = 1; p <= pages; ++p) {
            text << pageText(file, p);
            // The footer's Y is the real page count and X the page's own number.
            QVERIFY2(text.last().contains(QStringLiteral("page %1 of %2").arg(p).arg(pages)),
                qPrintable(QStringLiteral("page %1: %2").arg(p).arg(text.last().right(300))));
            QVERIFY(text.last().contains(QStringLiteral("Lapse evidence pack — billing-db+prod-k8s")));
        }
        const QString all = text.join(QLatin1Char('\n'));

        // The cover: scope, who and when, the checkpoint and the digest, said as what it is.
        QVERIFY(text.first().contains(
            QStringLiteral("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")));
        QVERIFY(text.first().contains(QStringLiteral("lapse.example/log")));
        QVERIFY(text.first().contains(QStringLiteral("1234")));
        QVERIFY(text.first().contains(QStringLiteral("seq 100 to 723")));
        QVERIFY(text.first().contains(QStringLiteral("aud")));
        QVERIFY(text.first().contains(QStringLiteral("manifest.sig")));
        QVERIFY(text.first().contains(QStringLiteral("sha256sum")));

        // The cover's contents give each section's page.
        for (const QString& section :
            {QStringLiteral("Control mapping"), QStringLiteral("Exceptions"), QStringLiteral("Sample")}) {
            const auto m = QRegularExpression(QStringLiteral("\\n\\s*%1\\s+(\\d+)\\s*\\n").arg(section))
                               .match(text.first());
            QVERIFY2(m.hasMatch(), qPrintable(section));
            const int page = m.captured(1).toInt();
            QVERIFY2(page > 1 && page <= pages, qPrintable(section));
            // Its heading is the first text under the page header.
            const QStringList lines = text.at(page - 1).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            QVERIFY2(lines.size() > 1 && lines.at(1).trimmed() == section,
                qPrintable(section + QStringLiteral(" is not on page %1").arg(page)));
        }

        // The metrics, their note and the figures from the JSON.
        QVERIFY(all.contains(d.metricsNote));
        QVERIFY(all.contains(QStringLiteral("Elevations per day")));
        QVERIFY(all.contains(QStringLiteral("How grants ended")));
        QVERIFY(all.contains(QStringLiteral("10 grants on 7 days")));
        QVERIFY(all.contains(QStringLiteral("1 revocations")));
        QVERIFY(all.contains(QStringLiteral("p50 4.0 s")));
        // The charts are vectors: their own text is text, and the PDF holds no raster image.
        QVERIFY(all.contains(QStringLiteral("1 revocations, 0 with sessions still unconfirmed")));
        const QStringList images
            = QString::fromUtf8(run(QStringLiteral("pdfimages"), {QStringLiteral("-list"), file}))
                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(images.size(), 2); // the two header lines, no image
        QVERIFY(all.contains(closed->id)); // the revoked grant's session, in its sample section
        QVERIFY(all.contains(QStringLiteral("requested 500, approved 501, active —"))); // sampled first

        // Every control of the mapping, and what evidences it.
        for (const char* control : {"AC-2(2)", "AC-6", "AU-9(3)", "AU-10", "PR.AA-05", "CC6.1", "CC6.2",
                 "CC6.3", "A.5.18", "A.8.2", "7.2.4", "10.2"})
            QVERIFY2(all.contains(QLatin1String(control)), control);
        QVERIFY(all.contains(QStringLiteral("checkpoint.txt")));

        // Every exception category, the cap and the count beyond it.
        for (int c = 0; c < categories.size(); ++c)
            QVERIFY2(all.contains(QStringLiteral("exception %1.0 ").arg(c)), qPrintable(categories.at(c)));
        QVERIFY(all.contains(QStringLiteral("exception 5.199 ")));
        QVERIFY(!all.contains(QStringLiteral("exception 5.200 ")));
        QVERIFY(all.contains(QStringLiteral("and 60 more")));

        // The long exception table spans pages and its header row is on each of them.
        int exceptionPages = 0;
        for (const QString& page : text)
            if (page.contains(QStringLiteral("grt_incomplete_record_"))) {
                ++exceptionPages;
                QVERIFY2(QRegularExpression(QStringLiteral("Grant\\s+Principal\\s+Target\\s+Detail\\s+Seq"))
                             .match(page)
                             .hasMatch(),
                    qPrintable(page.left(600)));
            }
        QVERIFY2(exceptionPages >= 2, qPrintable(QString::number(exceptionPages)));
        // So does the long timeline.
        int timelinePages = 0;
        for (const QString& page : text)
            if (page.contains(QStringLiteral("session.heartbeat")) && page.contains(made.at(0).id)) {
                ++timelinePages;
                QVERIFY(QRegularExpression(QStringLiteral("Seq\\s+Time \\(UTC\\)\\s+Event\\s+Actor"))
                            .match(page)
                            .hasMatch());
            }
        QVERIFY2(timelinePages >= 2, qPrintable(QString::number(timelinePages)));

        // The sample: the seed, how to redraw it, and each sampled grant.
        QVERIFY(all.contains(QStringLiteral("seed 4242424242")));
        QVERIFY(all.contains(QStringLiteral("--sample 3 --seed 4242424242")));
        for (int index : d.sample)
            QVERIFY2(all.contains(QStringLiteral("grant %1").arg(made.at(index).id)),
                qPrintable(made.at(index).id));
        QVERIFY(!all.contains(QStringLiteral(": grant %1").arg(made.at(1).id))); // not drawn

        // Every font embedded.
        const QString fonts = QString::fromUtf8(run(QStringLiteral("pdffonts"), {file}));
        const QStringList lines = fonts.split(QLatin1Char('\n'), Qt::SkipEmptyParts).mid(2);
        QVERIFY(!lines.isEmpty());
        for (const QString& line : lines)
            QVERIFY2(QRegularExpression(QStringLiteral("\\byes\\s+(yes|no)\\s+(yes|no)\\s+\\d+\\s+\\d+\\s*$"))
                         .match(line)
                         .hasMatch()
                    && line.split(QRegularExpression(QStringLiteral("\\s+"))).size() >= 7,
                qPrintable(fonts));
        QVERIFY2(fonts.contains(QStringLiteral("DejaVu")), qPrintable(fonts));
    }

    // The population the trial choked on: 42,000 grants and thousands of exceptions. The PDF lists at
    // most kReportExceptionRows per category and only the sample's timelines, so it stays short (and quick).
    void largePopulationStaysShort()
    {
        EvidenceData d = baseData();
        d.scope.sampleSize = 25;
        d.seed = 7;
        for (int i = 0; i < 42'000; ++i) {
            GrantRecord r;
            r.grant.id = QStringLiteral("grt_%1").arg(i, 8, 10, QLatin1Char('0'));
            r.grant.principal = QStringLiteral("user-%1").arg(i % 300);
            r.grant.target = QStringLiteral("billing-db");
            r.grant.startsMs = kStartMs + i * 1000LL;
            r.ending = QStringLiteral("expired");
            d.grants << r;
        }
        for (int s = 0; s < 25; ++s) {
            const int index = (s * 1'657) % 42'000;
            d.sample << index;
            for (int e = 0; e < 30; ++e)
                d.grants[index].timeline << TimelineEntry {index * 40LL + e, kStartMs + index * 1000LL + e,
                    QStringLiteral("session.heartbeat"), d.grants[index].grant.principal,
                    d.grants[index].grant.id};
        }
        for (const char* category : {"break_glass", "lingering_session", "post_expiry_use",
                 "unconfirmed_revocation", "repeated_elevation", "incomplete_record"})
            for (int i = 0; i < 2'000; ++i)
                d.exceptions << EvidenceException {QLatin1String(category),
                    QStringLiteral("grt_%1").arg(i, 8, 10, QLatin1Char('0')), QStringLiteral("user-1"),
                    QStringLiteral("billing-db"), QStringLiteral("one line"), i + 1};

        auto pdf = renderEvidenceReport(d);
        LAPSE_VERIFY_OK(pdf);
        const QString file = m_dir.filePath(QStringLiteral("large.pdf"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(pdf.value());
        out.close();
        const int pages = pageCount(file);
        QVERIFY2(pages > 25 && pages < 120, qPrintable(QString::number(pages)));
        const QString last = pageText(file, pages);
        QVERIFY(last.contains(QStringLiteral("page %1 of %1").arg(pages)));
        QString all;
        for (int p = 1; p <= pages; ++p)
            all += pageText(file, p);
        QCOMPARE(all.count(QStringLiteral("… and 1800 more — all in grants.csv")), 6);
        QVERIFY(all.contains(QStringLiteral("12000 exceptions in total")));
        QVERIFY(all.contains(QStringLiteral("25 of the 42000 grants in scope")));
        QVERIFY(all.contains(QStringLiteral("Sample 25 of 25: grant grt_")));
    }

    void emptyReport()
    {
        EvidenceData d = baseData();
        auto pdf = renderEvidenceReport(d);
        LAPSE_VERIFY_OK(pdf);
        const QString file = m_dir.filePath(QStringLiteral("empty.pdf"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(pdf.value());
        out.close();
        const int pages = pageCount(file);
        QVERIFY(pages >= 3);
        QVERIFY(pageText(file, 1).contains(QStringLiteral("No grants in this period")));
        QVERIFY(pageText(file, pages).contains(QStringLiteral("No grants in this period")));
        QVERIFY(pageText(file, pages).contains(QStringLiteral("page %1 of %1").arg(pages)));
    }
};

QTEST_MAIN(TestEvidenceReport)
#include "TestEvidenceReport.moc"
