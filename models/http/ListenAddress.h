// HOST:PORT as the broker's and the console's --listen take it, parsed once for both.
#pragma once

#include <QHostAddress>
#include <QString>
#include <optional>

namespace lapse
{

struct ListenAddress {
    QHostAddress address;
    quint16 port = 0; // 0: the system picks a free port
};

// "127.0.0.1:8443", "[::1]:8443" or "localhost:8443" (127.0.0.1). Other host names are refused: a server
// binds an address, and resolving a name here could bind something unexpected. nullopt: not HOST:PORT.
std::optional<ListenAddress> parseListenAddress(const QString& text);

} // namespace lapse
