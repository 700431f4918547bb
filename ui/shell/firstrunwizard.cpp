#include "shell/firstrunwizard.h"

#include "common/labelaccessible.h"
#include "common/messagelabel.h"
#include "crypto/securebuffer.h"
#include "shell/appicon.h"
#include "shell/passphrasefield.h"
#include "shell/passphrasestrengthbar.h"
#include "vault/vault.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace countersign::ui {

FirstRunWizard::FirstRunWizard(QString dataDir, QWidget* parent)
    : QDialog(parent)
    , m_dataDir(std::move(dataDir))
    , m_kdf(crypto::KdfParams::defaults())
    , m_owner(new QLineEdit(this))
    , m_passphrase(new PassphraseField(QStringLiteral("passphrase"), tr("Passphrase"), this))
    , m_repeat(new PassphraseField(QStringLiteral("repeatPassphrase"), tr("Repeat passphrase"), this))
    , m_strength(new PassphraseStrengthBar(this))
    , m_error(new MessageLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
    , m_createButton(nullptr)
{
    installLabelAccessibility();
    setObjectName(QStringLiteral("firstRunWizard"));
    setWindowTitle(tr("Create your Countersign vault"));
    setWindowIcon(appIcon());

    auto* intro = new QLabel(tr("Countersign keeps requests, decisions and its audit chain in an encrypted vault. "
                                "Choose the passphrase that unlocks it. It cannot be recovered if you forget it."),
                             this);
    intro->setWordWrap(true);
    m_owner->setObjectName(QStringLiteral("ownerName"));
    m_owner->setAccessibleName(tr("Your name"));
    m_owner->setMaxLength(100);
    m_owner->setPlaceholderText(tr("Shown on your decisions"));
    m_error->setTone(MessageLabel::Tone::Error); // only ever an error
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setAccessibleName(tr("Error"));
    m_error->setWordWrap(true);
    m_error->hide();

    m_createButton = m_buttons->addButton(tr("&Create vault"), QDialogButtonBox::AcceptRole);
    m_createButton->setObjectName(QStringLiteral("createButton"));
    m_createButton->setAccessibleName(tr("Create vault"));
    m_createButton->setDefault(true);
    m_buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));

    auto* form = new QFormLayout;
    form->addRow(tr("Your &name:"), m_owner);
    form->addRow(tr("&Passphrase:"), m_passphrase);
    form->addRow(QString(), m_strength);
    form->addRow(tr("&Repeat:"), m_repeat);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addStretch();
    layout->addWidget(m_buttons);
    setTabOrder(m_owner, m_passphrase);
    setTabOrder(m_passphrase, m_repeat);
    setTabOrder(m_repeat, m_buttons);
    setMinimumWidth(480);

    // The owner's name is the first thing an attacker tries: it counts against the passphrase.
    connect(m_owner, &QLineEdit::textChanged, this, [this] {
        m_strength->assess(m_passphrase->text(), {m_owner->text()});
        updateState();
    });
    connect(m_passphrase, &PassphraseField::textChanged, this, [this](const QString& text) {
        m_strength->assess(text, {m_owner->text()});
        updateState();
    });
    connect(m_repeat, &PassphraseField::textChanged, this, &FirstRunWizard::updateState);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &FirstRunWizard::create);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateState();
}

FirstRunWizard::~FirstRunWizard() = default;

std::unique_ptr<vault::Vault> FirstRunWizard::takeVault()
{
    return std::move(m_vault);
}

void FirstRunWizard::updateState()
{
    QString problem;
    if (m_owner->text().trimmed().isEmpty())
        problem = tr("Enter your name.");
    else if (!m_strength->isAcceptable())
        problem = tr("Choose a stronger passphrase.");
    else if (m_repeat->text() != m_passphrase->text())
        problem = m_repeat->text().isEmpty() ? tr("Repeat the passphrase.") : tr("The passphrases differ.");
    m_createButton->setEnabled(problem.isEmpty());
    m_createButton->setToolTip(problem);
    // Say why only once the person has started on the second field.
    const bool mismatch = !m_repeat->text().isEmpty() && m_repeat->text() != m_passphrase->text();
    m_error->setVisible(mismatch);
    if (mismatch)
        m_error->setText(tr("The passphrases differ."));
}

void FirstRunWizard::create()
{
    QByteArray bytes = m_passphrase->text().toUtf8();
    const crypto::SecureBuffer passphrase = crypto::SecureBuffer::takeFrom(bytes);
    vault::Vault::CreateOptions options;
    options.kdf = m_kdf;
    setEnabled(false);
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto created = vault::Vault::create(m_dataDir, m_owner->text().trimmed(), passphrase, options);
    QApplication::restoreOverrideCursor();
    setEnabled(true);
    if (!created) {
        m_error->setText(created.error().message);
        m_error->show();
        m_passphrase->setFocus();
        return;
    }
    m_vault = std::move(*created);
    m_passphrase->clear();
    m_repeat->clear();
    accept();
}

} // namespace countersign::ui
