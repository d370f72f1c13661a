// CSV as RFC 4180 writes it (CRLF line ends, fields quoted when they hold a comma, a quote or a line break,
// quotes doubled), UTF-8, and safe to open in a spreadsheet: a text cell starting with =, +, -, @, tab or CR
// is prefixed with an apostrophe so it is never read as a formula (OWASP, CSV injection). Numbers stay
// numbers.
#pragma once

#include "Error.h"

#include <QStringList>
#include <QVariantList>

class QIODevice;

namespace lapse
{

// A table of values: what a chart shows, an export writes.
struct DataTable {
    QStringList columns;
    QList<QVariantList> rows;
};

class CsvWriter
{
public:
    explicit CsvWriter(QIODevice* out)
        : m_out(out)
    {
    }
    // Numeric QVariants are written as numbers; anything else as (neutralised, quoted when needed) text.
    void writeRow(const QVariantList& cells);
    void writeRow(const QStringList& cells);
    void write(const DataTable& table);
    // Ok, or the first write error of the device.
    Status status() const { return m_status; }

    static QString field(const QVariant& value);

private:
    void put(const QByteArray& bytes);
    QIODevice* m_out;
    Status m_status = Ok {};
};

} // namespace lapse
