#include "tokendialog.h"

#include "qrcode.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

namespace countersign::ui {

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
    auto* copied = new QLabel(this);
    copied->setObjectName(QStringLiteral("copiedLabel"));
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
    connect(copy, &QPushButton::clicked, this, [secret, copied] {
        QGuiApplication::clipboard()->setText(secret);
        copied->setText(tr("Copied to the clipboard."));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    value->selectAll();
    value->setFocus();
}

} // namespace countersign::ui
