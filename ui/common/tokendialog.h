#pragma once

#include <QDialog>

#include <chrono>

namespace countersign::ui {

/// Shows a secret once (a runtime's token, an invitation link), with a copy button, optionally
/// a QR code, and the warning that it cannot be shown again. Closing the dialog is the only way
/// on; the secret lives nowhere else. A copied secret leaves the clipboard after a while (and
/// when the application quits) if the clipboard still holds it, as password managers do.
class TokenDialog final : public QDialog {
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds DEFAULT_CLIPBOARD_CLEAR{60'000};
    struct Shown {
        QString title;
        QString intro; // rich text, already escaped
        QString value;
        QString valueName; // for accessibility: "Runtime token"
        QString warning;
        bool qrCode = false;
        std::chrono::milliseconds clearClipboardAfter = DEFAULT_CLIPBOARD_CLEAR;
    };
    TokenDialog(const Shown& shown, QWidget* parent = nullptr);
    TokenDialog(const QString& runtimeName, const QString& token, QWidget* parent = nullptr);
};

} // namespace countersign::ui
