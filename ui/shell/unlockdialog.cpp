#include "shell/unlockdialog.h"

#include "common/labelaccessible.h"
#include "common/messagelabel.h"
#include "crypto/securebuffer.h"
#include "shell/appicon.h"
#include "shell/passphrasefield.h"
#include "vault/vault.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace countersign::ui {

UnlockDialog::UnlockDialog(QString dataDir, QWidget* parent)
    : QDialog(parent)
    , m_dataDir(std::move(dataDir))
    , m_passphrase(new PassphraseField(QStringLiteral("passphrase"), tr("Passphrase"), this))
    , m_error(new MessageLabel(this))
    , m_unlockButton(nullptr)
{
    installLabelAccessibility();
    setObjectName(QStringLiteral("unlockDialog"));
    setWindowTitle(tr("Unlock Countersign"));
    setWindowIcon(appIcon());
    auto* icon = new QLabel(this);
    icon->setPixmap(appIcon().pixmap(48, 48));
    icon->setAccessibleName(tr("Countersign"));
    auto* prompt =
        new QLabel(tr("Enter the passphrase of the vault in %1.").arg(QDir::toNativeSeparators(m_dataDir)), this);
    prompt->setWordWrap(true);
    prompt->setBuddy(m_passphrase);
    m_error->setTone(MessageLabel::Tone::Error); // only ever an error
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setAccessibleName(tr("Error"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_unlockButton = buttons->addButton(tr("&Unlock"), QDialogButtonBox::AcceptRole);
    m_unlockButton->setObjectName(QStringLiteral("unlockButton"));
    m_unlockButton->setAccessibleName(tr("Unlock"));
    m_unlockButton->setDefault(true);
    buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));
    buttons->button(QDialogButtonBox::Cancel)->setText(tr("&Quit"));

    auto* top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    auto* fields = new QVBoxLayout;
    fields->addWidget(prompt);
    fields->addWidget(m_passphrase);
    fields->addWidget(m_error);
    top->addLayout(fields, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addStretch();
    layout->addWidget(buttons);
    setMinimumWidth(420);

    connect(buttons, &QDialogButtonBox::accepted, this, &UnlockDialog::unlock);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_passphrase, &PassphraseField::textChanged, this,
            [this](const QString& text) { m_unlockButton->setEnabled(!text.isEmpty()); });
    m_unlockButton->setEnabled(false);
    m_passphrase->setFocus();
}

UnlockDialog::~UnlockDialog() = default;

std::unique_ptr<vault::Vault> UnlockDialog::takeVault()
{
    return std::move(m_vault);
}

void UnlockDialog::unlock()
{
    QByteArray bytes = m_passphrase->text().toUtf8();
    const crypto::SecureBuffer passphrase = crypto::SecureBuffer::takeFrom(bytes);
    m_passphrase->clear();
    setEnabled(false);
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto opened = vault::Vault::open(m_dataDir, passphrase);
    QApplication::restoreOverrideCursor();
    setEnabled(true);
    if (!opened) {
        m_error->setText(opened.error().code == ErrorCode::WrongPassphrase ? tr("Wrong passphrase. Try again.")
                                                                           : opened.error().message);
        m_error->show();
        m_passphrase->setFocus();
        return;
    }
    m_vault = std::move(*opened);
    accept();
}

} // namespace countersign::ui
