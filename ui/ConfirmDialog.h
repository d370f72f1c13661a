// The one confirmation dialog for incident actions: what will happen, and a reason that goes into the log.
#pragma once

#include "TextPromptDialog.h"

#include <optional>

namespace lapse
{

class ConfirmDialog : public TextPromptDialog
{
    Q_OBJECT
public:
    ConfirmDialog(const QString& title, const QString& text, const QString& actionLabel, QWidget* parent);
    QString reason() const { return text(); }

    // Asks; returns the reason when confirmed, nothing when cancelled. A test pre-answers with setNextAnswer
    // so no modal loop runs.
    static std::optional<QString> ask(QWidget* parent, const QString& title, const QString& text,
        const QString& actionLabel, const QString& defaultReason = {});
    static void setNextAnswer(std::optional<QString> reason);
    // What the last ask() showed (tests assert a person would have seen the right question).
    static QString lastQuestion();
};

} // namespace lapse
