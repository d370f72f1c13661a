// The insight charts, from the same tables the CSV export writes. The strings keep the Insights view's
// translation context: these charts were drawn there first and its translations already cover them.
#include "InsightCharts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QCoreApplication>
#include <QHorizontalBarSeries>
#include <QPieSeries>
#include <QValueAxis>

#include <algorithm>

namespace lapse::InsightCharts
{

namespace
{
// valueTitle names the value axis' unit where the bars are not plain counts.
QChart* barChart(const QStringList& categories, const QList<QPair<QString, QList<double>>>& sets,
    bool horizontal, const QString& valueTitle = {}, int decimals = 0)
{
    auto* chart = new QChart;
    QAbstractBarSeries* series = horizontal ? static_cast<QAbstractBarSeries*>(new QHorizontalBarSeries)
                                            : static_cast<QAbstractBarSeries*>(new QBarSeries);
    double top = 1;
    for (const auto& [label, values] : sets) {
        auto* set = new QBarSet(label);
        for (double v : values) {
            *set << v;
            top = std::max(top, v);
        }
        series->append(set);
    }
    chart->addSeries(series);
    auto* cats = new QBarCategoryAxis;
    cats->append(categories);
    cats->setTruncateLabels(false); // identity names and measures must stay readable
    if (horizontal) {
        // Twelve identities down a short chart: a smaller font keeps every name drawn (Qt Charts hides
        // every other label when they overlap).
        QFont font = cats->labelsFont();
        font.setPointSizeF(font.pointSizeF() * 0.8);
        cats->setLabelsFont(font);
    }
    auto* values = new QValueAxis;
    values->setRange(0, top * 1.1);
    values->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
    if (!valueTitle.isEmpty())
        values->setTitleText(valueTitle);
    chart->addAxis(cats, horizontal ? Qt::AlignLeft : Qt::AlignBottom);
    chart->addAxis(values, horizontal ? Qt::AlignBottom : Qt::AlignLeft);
    series->attachAxis(cats);
    series->attachAxis(values);
    chart->legend()->setVisible(sets.size() > 1);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    return chart;
}

// A table's column as chart values, and its day column as the axis labels (MM-DD).
QList<double> column(const DataTable& t, int c)
{
    QList<double> out;
    for (const auto& row : t.rows)
        out << row.value(c).toDouble();
    return out;
}

QStringList dayLabels(const DataTable& t)
{
    QStringList out;
    for (const auto& row : t.rows)
        out << row.value(0).toString().mid(5);
    return out;
}
} // namespace

QChart* grantsPerDay(const QHash<QString, DataTable>& tables)
{
    const DataTable t = tables.value(QStringLiteral("grants_per_day"));
    return barChart(dayLabels(t),
        {{QCoreApplication::translate("lapse::InsightsView", "grants"), column(t, 1)},
            {QCoreApplication::translate("lapse::InsightsView", "break-glass"), column(t, 2)}},
        false);
}

QChart* byIdentity(const QHash<QString, DataTable>& tables, QStringList* names)
{
    // The table lists the top twelve, most grants first; horizontal bars draw bottom-up.
    const DataTable t = tables.value(QStringLiteral("by_identity"));
    QStringList identities;
    QList<double> counts;
    for (auto it = t.rows.crbegin(); it != t.rows.crend(); ++it) {
        identities << it->value(0).toString();
        counts << it->value(1).toDouble();
    }
    if (names)
        *names = identities;
    return barChart(
        identities, {{QCoreApplication::translate("lapse::InsightsView", "grants"), counts}}, true);
}

QChart* width(const QHash<QString, DataTable>& tables)
{
    const QStringList cats {QCoreApplication::translate("lapse::InsightsView", "beyond minimum"),
        QCoreApplication::translate("lapse::InsightsView", "narrowed grants"),
        QCoreApplication::translate("lapse::InsightsView", "never used")};
    return barChart(cats,
        {{QCoreApplication::translate("lapse::InsightsView", "count"),
            column(tables.value(QStringLiteral("width")), 1)}},
        false);
}

QChart* lingering(const QHash<QString, DataTable>& tables)
{
    const DataTable t = tables.value(QStringLiteral("lingering"));
    return barChart(dayLabels(t),
        {{QCoreApplication::translate("lapse::InsightsView", "lingering sessions"), column(t, 1)},
            {QCoreApplication::translate("lapse::InsightsView", "post-expiry uses"), column(t, 2)}},
        false);
}

QChart* revocation(const QHash<QString, DataTable>& tables, const QJsonObject& metrics)
{
    // From the revoke to introspection refusing, and to the last session confirmed closed (p50, p99).
    const QJsonObject r = metrics[QLatin1String("revocation")].toObject();
    const QJsonObject e = metrics[QLatin1String("enforcement")].toObject();
    const bool enforced = e[QLatin1String("grants")].toInt() > 0;
    // Short category labels: a long one is not drawn at all when it is wider than its bar's slot.
    QStringList categories {QCoreApplication::translate("lapse::InsightsView", "introspection"),
        QCoreApplication::translate("lapse::InsightsView", "sessions p50"),
        QCoreApplication::translate("lapse::InsightsView", "sessions p99")};
    if (enforced) // from the end to the login refused on an enforced target
        categories << QCoreApplication::translate("lapse::InsightsView", "target p50")
                   << QCoreApplication::translate("lapse::InsightsView", "target p99");
    QChart* chart = barChart(categories,
        {{QCoreApplication::translate("lapse::InsightsView", "seconds"),
            column(tables.value(QStringLiteral("revocation")), 1)}},
        false, QCoreApplication::translate("lapse::InsightsView", "seconds"), 1);
    QString title = QCoreApplication::translate(
        "lapse::InsightsView", "%1 revocations, %2 with sessions still unconfirmed")
                        .arg(r[QLatin1String("count")].toInt())
                        .arg(r[QLatin1String("sessions_unconfirmed")].toInt());
    if (enforced)
        title += QStringLiteral(" · ")
            + QCoreApplication::translate("lapse::InsightsView", "targets: %1 ends verified, %2 pending")
                  .arg(e[QLatin1String("verified")].toInt())
                  .arg(e[QLatin1String("pending")].toInt());
    chart->setTitle(title);
    return chart;
}

QChart* endings(const QJsonObject& metrics)
{
    const QJsonObject d = metrics[QLatin1String("duration")].toObject();
    const QJsonObject completeness = metrics[QLatin1String("completeness")].toObject();
    auto* pie = new QPieSeries;
    const int completed = d[QLatin1String("completed")].toInt(),
              expired = d[QLatin1String("expired")].toInt(), revoked = d[QLatin1String("revoked")].toInt();
    pie->append(QCoreApplication::translate("lapse::InsightsView", "completed %1").arg(completed), completed);
    pie->append(QCoreApplication::translate("lapse::InsightsView", "expired %1").arg(expired), expired);
    pie->append(QCoreApplication::translate("lapse::InsightsView", "revoked %1").arg(revoked), revoked);
    auto* chart = new QChart;
    chart->addSeries(pie);
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setTitle(QCoreApplication::translate(
        "lapse::InsightsView", "%1 break-glass · used %2 of %3 approved hours · %4 of %5 records complete")
                        .arg(d[QLatin1String("break_glass")].toInt())
                        .arg(d[QLatin1String("used_seconds")].toDouble() / 3600.0, 0, 'f', 0)
                        .arg(d[QLatin1String("approved_ttl_seconds")].toDouble() / 3600.0, 0, 'f', 0)
                        .arg(completeness[QLatin1String("complete")].toInt())
                        .arg(completeness[QLatin1String("grants")].toInt()));
    chart->setMargins(QMargins(4, 4, 4, 4));
    return chart;
}

} // namespace lapse::InsightCharts
