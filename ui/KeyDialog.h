// Asks for a broker's API key once, when remote mode has neither a key file nor LAPSE_KEY. The key lives in
// memory for this session only: it is never written to the settings or anywhere else.
#pragma once

#include "TextPromptDialog.h"

namespace lapse
{

class KeyDialog : public TextPromptDialog
{
    Q_OBJECT
public:
    KeyDialog(const QString& broker, QWidget* parent = nullptr);
    QByteArray key() const; // trimmed; empty until something was typed

    // Runs the dialog; the key, or empty when cancelled.
    static QByteArray ask(const QString& broker, QWidget* parent = nullptr);
};

} // namespace lapse
