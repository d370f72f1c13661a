// Fuzz target: Directory::fromJson, which reads the directory file an operator writes. Whatever the bytes,
// parsing ends in a directory or an error; a directory that parses is valid, and toJson() says all of it:
// read back, it gives the same toJson() again.
#include "domain/Directory.h"

#include <QByteArray>
#include <QJsonDocument>
#include <cstdint>
#include <cstdlib>

using namespace lapse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto parsed = Directory::fromJson(QByteArray(reinterpret_cast<const char*>(data), qsizetype(size)));
    if (!parsed)
        return 0;
    if (!parsed->validate())
        std::abort(); // fromJson let an invalid directory through
    const QJsonObject json = parsed->toJson();
    const auto again = Directory::fromJson(QJsonDocument(json).toJson(QJsonDocument::Compact));
    if (!again)
        std::abort(); // what we wrote, we cannot read
    if (again->toJson() != json)
        std::abort(); // toJson() lost or changed something
    return 0;
}
