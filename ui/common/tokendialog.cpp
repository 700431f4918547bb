#include "common/tokendialog.h"

#include "common/qrcode.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

QByteArray digestOf(const QString& text)
{
    return QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256);
}

/// Empties the clipboard after \a delay, or when the application quits first, but only if it
/// still holds \a secret: what the person copied since is theirs. Only the secret's digest is
/// kept meanwhile; the dialog, and the secret with it, may be long gone.
void clearClipboardLater(const QString& secret, std::chrono::milliseconds delay)
{
    QClipboard* clipboard = QGuiApplication::clipboard();
    auto* timer = new QTimer(clipboard);
    timer->setSingleShot(true);
    const QByteArray digest = digestOf(secret);
    auto clear = [clipboard, timer, digest] {
        for (const QClipboard::Mode mode : {QClipboard::Clipboard, QClipboard::Selection}) {
            if ((mode == QClipboard::Clipboard || clipboard->supportsSelection()) &&
                digestOf(clipboard->text(mode)) == digest)
                clipboard->clear(mode);
        }
        timer->deleteLater();
    };
    QObject::connect(timer, &QTimer::timeout, clipboard, clear);
    QObject::connect(qApp, &QCoreApplication::aboutToQuit, timer, clear);
    timer->start(delay);
}

} // namespace

TokenDialog::TokenDialog(const QString& runtimeName, const QString& token, QWidget* parent)
    : TokenDialog(
          Shown{
              tr("Token for %1").arg(runtimeName),
              tr("Runtime <b>%1</b> is registered. It authenticates with this token:").arg(runtimeName.toHtmlEscaped()),
              token, tr("Runtime token"),
              tr("This token will not be shown again. Store it where the runtime reads it "
                 "(COUNTERSIGN_TOKEN or COUNTERSIGN_TOKEN_FILE); if it is lost, revoke the "
                 "runtime and register it again."),
              false},
          parent)
{
}

TokenDialog::TokenDialog(const Shown& shown, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("tokenDialog"));
    setWindowTitle(shown.title);
    auto* intro = new QLabel(shown.intro, this);
    intro->setWordWrap(true);
    auto* value = new QLineEdit(shown.value, this);
    value->setObjectName(QStringLiteral("tokenValue"));
    value->setAccessibleName(shown.valueName);
    value->setReadOnly(true);
    value->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    value->setMinimumWidth(std::min(900, value->fontMetrics().horizontalAdvance(shown.value) + 24));
    auto* copy = new QPushButton(tr("&Copy"), this);
    copy->setObjectName(QStringLiteral("copyTokenButton"));
    copy->setAccessibleName(tr("Copy to the clipboard"));
    auto* warning = new QLabel(shown.warning, this);
    warning->setObjectName(QStringLiteral("tokenWarning"));
    warning->setWordWrap(true);
    QFont bold = warning->font();
    bold.setBold(true);
    warning->setFont(bold);
    const qint64 clearSeconds = std::chrono::duration_cast<std::chrono::seconds>(shown.clearClipboardAfter).count();
    auto* copied =
        new QLabel(tr("Copying puts it on the clipboard for %n second(s); it is cleared then if it is still there.",
                      nullptr, static_cast<int>(clearSeconds)),
                   this);
    copied->setObjectName(QStringLiteral("copiedLabel"));
    copied->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);

    auto* row = new QHBoxLayout;
    row->addWidget(value, 1);
    row->addWidget(copy);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(row);
    layout->addWidget(copied);
    if (shown.qrCode) {
        const QImage code = qrCodeImage(shown.value);
        auto* image = new QLabel(this);
        image->setObjectName(QStringLiteral("qrCode"));
        image->setAccessibleName(tr("QR code of the link"));
        image->setPixmap(QPixmap::fromImage(code));
        image->setAlignment(Qt::AlignCenter);
        layout->addWidget(image);
    }
    layout->addWidget(warning);
    layout->addWidget(buttons);

    const QString secret = shown.value;
    const std::chrono::milliseconds clearAfter = shown.clearClipboardAfter;
    connect(copy, &QPushButton::clicked, this, [secret, copied, clearAfter, clearSeconds] {
        QGuiApplication::clipboard()->setText(secret);
        clearClipboardLater(secret, clearAfter);
        copied->setText(tr("Copied. The clipboard is cleared in %n second(s) unless you copy something else.", nullptr,
                           static_cast<int>(clearSeconds)));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    value->selectAll();
    value->setFocus();
}

} // namespace countersign::ui
