#pragma once

#include <QDialog>

namespace countersign::ui {

/// Shows a secret once (a runtime's token, an invitation link), with a copy button, optionally
/// a QR code, and the warning that it cannot be shown again. Closing the dialog is the only way
/// on; the secret lives nowhere else.
class TokenDialog final : public QDialog {
    Q_OBJECT
public:
    struct Shown {
        QString title;
        QString intro; // rich text, already escaped
        QString value;
        QString valueName; // for accessibility: "Runtime token"
        QString warning;
        bool qrCode = false;
    };
    TokenDialog(const Shown& shown, QWidget* parent = nullptr);
    TokenDialog(const QString& runtimeName, const QString& token, QWidget* parent = nullptr);
};

} // namespace countersign::ui
