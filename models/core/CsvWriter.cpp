// CsvWriter: one field at a time, quoted only when RFC 4180 needs it.
#include "CsvWriter.h"

#include <QIODevice>

namespace lapse
{

namespace
{
bool isNumber(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
        return true;
    default:
        return false;
    }
}
} // namespace

QString CsvWriter::field(const QVariant& value)
{
    if (isNumber(value))
        return value.typeId() == QMetaType::Double || value.typeId() == QMetaType::Float
            ? QString::number(value.toDouble(), 'g', 15)
            : value.toString();
    QString text = value.toString();
    static const QString kFormulaStarts = QStringLiteral("=+-@\t\r");
    if (!text.isEmpty() && kFormulaStarts.contains(text.front()))
        text.prepend(QLatin1Char('\''));
    if (text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"')) || text.contains(QLatin1Char('\n'))
        || text.contains(QLatin1Char('\r'))) {
        text.replace(QLatin1Char('"'), QLatin1String("\"\""));
        text = QLatin1Char('"') + text + QLatin1Char('"');
    }
    return text;
}

void CsvWriter::writeRow(const QVariantList& cells)
{
    QString line;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i)
            line += QLatin1Char(',');
        line += field(cells[i]);
    }
    line += QLatin1String("\r\n");
    put(line.toUtf8());
}

void CsvWriter::writeRow(const QStringList& cells)
{
    QVariantList values;
    values.reserve(cells.size());
    for (const QString& c : cells)
        values << c;
    writeRow(values);
}

void CsvWriter::write(const DataTable& table)
{
    writeRow(table.columns);
    for (const QVariantList& row : table.rows)
        writeRow(row);
}

void CsvWriter::put(const QByteArray& bytes)
{
    if (!m_status)
        return;
    if (m_out->write(bytes) != bytes.size())
        m_status = makeError(
            ErrorCode::Internal, QStringLiteral("cannot write CSV: %1").arg(m_out->errorString()));
}

} // namespace lapse
