// Insights: does JIT reduce exposure here? Charts of the six metrics (computed from the local store's rollups
// when there is one — the engine's file or a remote broker's mirror — else from /v1/insights; the same
// implementation as lapsectl metrics), repeated-elevation candidates (and a rule drafted from one),
// drill-down, PNG and CSV export.
#pragma once

#include "core/CsvWriter.h"

#include <QJsonObject>
#include <QMap>
#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace lapse
{

class Backend;
class InsightsSource;
class RuleDraftDialog;

class InsightsView : public QWidget
{
    Q_OBJECT
public:
    // storeFile: a local copy of the event log to compute from; empty to ask the backend.
    explicit InsightsView(Backend* backend, const QString& storeFile = {}, QWidget* parent = nullptr);
    bool computesLocally() const;

    void refresh();
    QJsonObject metrics() const { return m_metrics; }
    QChartView* chartView(const QString& name) const { return m_charts.value(name).view; }
    // The numbers a chart shows, as CSV (header line, then one line per category).
    QString csv(const QString& name) const;
    bool exportPng(const QString& name, const QString& file) const;
    bool exportCsv(const QString& name, const QString& file) const;
    QTableWidget* drillDown() const { return m_drill; }
    QTableWidget* repeated() const { return m_repeated; }
    void drillIntoIdentity(const QString& identity);
    // The directory file named in a drafted rule's lapsectl command; empty: the console has none.
    void setDirectoryFile(const QString& file) { m_directoryFile = file; }
    QPushButton* draftRuleButton() const { return m_draftRule; }
    // Opens the Draft rule dialog for the selected candidate; null when none is selected.
    RuleDraftDialog* draftRule();
    // The filters as chosen: days back (0: all time), the target and the identity kind ("" for all).
    int periodDays() const;
    QString targetFilter() const;
    QString kindFilter() const;

signals:
    void loaded();
    void drilledDown(const QString& what);
    // The person asked for an evidence pack of what the filters select.
    void evidencePackRequested();

private:
    struct ChartSlot {
        QChartView* view = nullptr;
    };
    QWidget* chartBox(const QString& name, const QString& title);
    void display(const QJsonObject& m);
    void showGrantsPerDay();
    void showByIdentity();
    void showWidth();
    void showLingering();
    void showRevocation();
    void showEndings();
    void setChart(const QString& name, QChart* chart);

    Backend* m_backend;
    InsightsSource* m_source;
    QComboBox* m_period;
    QComboBox* m_target;
    QComboBox* m_kind;
    QLabel* m_status;
    QLabel* m_summary;
    QMap<QString, ChartSlot> m_charts;
    QHash<QString, DataTable> m_tables; // what the charts show and the CSV export writes
    QTableWidget* m_repeated;
    QPushButton* m_draftRule;
    QString m_directoryFile;
    QTableWidget* m_drill;
    QLabel* m_drillTitle;
    QJsonObject m_metrics;
    quint64 m_generation = 0;
};

} // namespace lapse
