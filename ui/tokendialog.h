#pragma once

#include <QDialog>

namespace countersign::ui {

/// Shows a runtime's new token once, with a copy button and the warning that it cannot be
/// shown again. Closing the dialog is the only way on; the token lives nowhere else.
class TokenDialog final : public QDialog {
    Q_OBJECT
public:
    TokenDialog(const QString& runtimeName, const QString& token, QWidget* parent = nullptr);
};

} // namespace countersign::ui
