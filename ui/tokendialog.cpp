#include "tokendialog.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace countersign::ui {

TokenDialog::TokenDialog(const QString& runtimeName, const QString& token, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("tokenDialog"));
    setWindowTitle(tr("Token for %1").arg(runtimeName));
    auto* intro = new QLabel(
        tr("Runtime <b>%1</b> is registered. It authenticates with this token:").arg(runtimeName.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    auto* value = new QLineEdit(token, this);
    value->setObjectName(QStringLiteral("tokenValue"));
    value->setAccessibleName(tr("Runtime token"));
    value->setReadOnly(true);
    value->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    value->setMinimumWidth(value->fontMetrics().horizontalAdvance(token) + 24);
    auto* copy = new QPushButton(tr("&Copy"), this);
    copy->setObjectName(QStringLiteral("copyTokenButton"));
    copy->setAccessibleName(tr("Copy the token"));
    auto* warning = new QLabel(tr("This token will not be shown again. Store it where the runtime reads it "
                                  "(COUNTERSIGN_TOKEN or COUNTERSIGN_TOKEN_FILE); if it is lost, revoke the "
                                  "runtime and register it again."),
                               this);
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
    layout->addWidget(warning);
    layout->addWidget(buttons);

    connect(copy, &QPushButton::clicked, this, [token, copied] {
        QGuiApplication::clipboard()->setText(token);
        copied->setText(tr("Copied to the clipboard."));
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    value->selectAll();
    value->setFocus();
}

} // namespace countersign::ui
