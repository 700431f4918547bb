#pragma once

#include <QString>

#include <functional>

class QWidget;

namespace countersign::ui {

/// What to ask before an action that cannot be undone (revoking a token or an invitation,
/// removing a member or a rule).
struct Confirmation {
    QString objectName; // of the box; its confirming button is objectName + "Button"
    QString title;
    QString text;
    QString confirmText; // the destructive button, named for the action: "&Revoke"
};

/// Asks \a what in a window-modal warning whose default button is Cancel, so Enter or Esc never
/// confirms by accident; \a confirmed runs only when the destructive button is pressed. Every
/// irreversible action asks the same way.
void confirmDestructive(QWidget* parent, const Confirmation& what, std::function<void()> confirmed);

} // namespace countersign::ui
