// Parsing --listen through QUrl, whose authority syntax is exactly HOST:PORT, brackets for IPv6 included.
#include "ListenAddress.h"

#include <QUrl>

namespace lapse
{

std::optional<ListenAddress> parseListenAddress(const QString& text)
{
    const QUrl url(QStringLiteral("tcp://") + text, QUrl::StrictMode);
    // Anything beyond the authority (a path, query, user) means the text was not just HOST:PORT.
    if (!url.isValid() || url.port() < 0 || !url.userInfo().isEmpty() || !url.path().isEmpty()
        || url.hasQuery() || url.hasFragment())
        return std::nullopt;
    const QString host = url.host();
    const QHostAddress address(host == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : host);
    if (address.isNull())
        return std::nullopt;
    return ListenAddress {address, quint16(url.port())};
}

} // namespace lapse
