// Load over kept-alive TLS connections for the broker benchmarks (bench_broker, bench_replicas): N
// connections, each sending the same request again as soon as the previous answer is in, with latencies and
// the CPU the server and this generator used over the same window.
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>
#include <QUrlQuery>
#include <algorithm>
#include <memory>
#include <unistd.h>
#include <vector>

namespace lapse::bench
{

inline double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

// CPU time (user + system, all threads) a process has used, in microseconds; 0 if unknown.
inline double cpuMicros(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) * 1e6 / double(sysconf(_SC_CLK_TCK));
}

// N kept-alive TLS connections, each sending the same request again as soon as the previous answer is in.
// CPU per request, of the server and of this load generator, is measured over the same window: unlike the
// rate, it hardly moves when other work shares the machine, and their sum bounds what two cores can do.
struct LoadResult {
    double perSecond = 0, p50 = 0, p99 = 0;
    double serverCpuUs = 0, clientCpuUs = 0; // per request
    qint64 errors = 0;
};

inline LoadResult load(quint16 port, qint64 serverPid, const QString& caFile, const QByteArray& request,
    int connections, int seconds)
{
    struct Conn {
        QSslSocket socket;
        QByteArray buffer;
        QElapsedTimer sent;
    };
    std::vector<std::unique_ptr<Conn>> conns;
    std::vector<double> latencies;
    latencies.reserve(2'000'000);
    qint64 done = 0, errors = 0;
    bool measuring = false, stopping = false;
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates(QSslCertificate::fromPath(caFile));
    int ready = 0;
    for (int i = 0; i < connections; ++i) {
        auto c = std::make_unique<Conn>();
        Conn* raw = c.get();
        raw->socket.setSslConfiguration(ssl);
        QObject::connect(&raw->socket, &QSslSocket::encrypted, [&, raw] {
            ++ready;
            raw->sent.start();
            raw->socket.write(request);
        });
        QObject::connect(&raw->socket, &QSslSocket::readyRead, [&, raw] {
            raw->buffer += raw->socket.readAll();
            for (;;) {
                const int headerEnd = raw->buffer.indexOf("\r\n\r\n");
                if (headerEnd < 0)
                    return;
                const int cl = raw->buffer.indexOf("Content-Length:");
                const int clEnd = raw->buffer.indexOf("\r\n", cl);
                const int length = cl >= 0 && cl < headerEnd
                    ? raw->buffer.mid(cl + 15, clEnd - cl - 15).trimmed().toInt()
                    : 0;
                if (raw->buffer.size() < headerEnd + 4 + length)
                    return;
                if (!raw->buffer.startsWith("HTTP/1.1 200"))
                    ++errors;
                raw->buffer.remove(0, headerEnd + 4 + length);
                if (measuring) {
                    latencies.push_back(raw->sent.nsecsElapsed() / 1e6);
                    ++done;
                }
                if (stopping)
                    return;
                raw->sent.start();
                raw->socket.write(request);
            }
        });
        raw->socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        conns.push_back(std::move(c));
    }
    QEventLoop loop;
    QTimer::singleShot(1000, &loop, [&] { measuring = true; }); // one second of warm-up
    QElapsedTimer window;
    double serverCpu = 0, clientCpu = 0;
    qint64 counted = 0;
    QTimer::singleShot(1000, &loop, [&] {
        window.start();
        serverCpu = cpuMicros(serverPid);
        clientCpu = cpuMicros(QCoreApplication::applicationPid());
    });
    QTimer::singleShot(1000 + seconds * 1000, &loop, [&] {
        stopping = true;
        measuring = false;
        counted = done;
        serverCpu = cpuMicros(serverPid) - serverCpu;
        clientCpu = cpuMicros(QCoreApplication::applicationPid()) - clientCpu;
        loop.quit();
    });
    loop.exec();
    LoadResult r;
    r.perSecond = done / (window.nsecsElapsed() / 1e9);
    r.p50 = percentile(latencies, 0.50);
    r.p99 = percentile(latencies, 0.99);
    r.errors = errors + (connections - ready);
    r.serverCpuUs = counted ? serverCpu / double(counted) : 0;
    r.clientCpuUs = counted ? clientCpu / double(counted) : 0;
    return r;
}

inline QByteArray introspectRequest(const QByteArray& key, const QByteArray& token)
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("token"), QString::fromLatin1(token));
    const QByteArray body = form.toString(QUrl::FullyEncoded).toLatin1();
    return "POST /v1/introspect HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace lapse::bench
