#include "shell/changepassphrasedialog.h"

#include "common/messagelabel.h"
#include "shell/passphrasefield.h"
#include "shell/passphrasestrengthbar.h"
#include "shell/sessioncontroller.h"
#include "vault/vault.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace countersign::ui {

ChangePassphraseDialog::ChangePassphraseDialog(SessionController& session, QWidget* parent)
    : QDialog(parent)
    , m_session(session)
    , m_kdf(crypto::KdfParams::defaults())
    , m_current(new PassphraseField(QStringLiteral("currentPassphrase"), tr("Current passphrase"), this))
    , m_passphrase(new PassphraseField(QStringLiteral("newPassphrase"), tr("New passphrase"), this))
    , m_repeat(new PassphraseField(QStringLiteral("repeatPassphrase"), tr("Repeat new passphrase"), this))
    , m_strength(new PassphraseStrengthBar(this))
    , m_error(new MessageLabel(this))
    , m_changeButton(nullptr)
{
    setObjectName(QStringLiteral("changePassphraseDialog"));
    setWindowTitle(tr("Change passphrase"));
    m_error->setTone(MessageLabel::Tone::Error); // only ever an error
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setWordWrap(true);
    m_error->hide();
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_changeButton = buttons->addButton(tr("&Change"), QDialogButtonBox::AcceptRole);
    m_changeButton->setObjectName(QStringLiteral("changeButton"));
    auto* form = new QFormLayout;
    form->addRow(tr("C&urrent:"), m_current);
    form->addRow(tr("&New:"), m_passphrase);
    form->addRow(QString(), m_strength);
    form->addRow(tr("&Repeat:"), m_repeat);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setMinimumWidth(440);
    connect(m_passphrase, &PassphraseField::textChanged, this, [this](const QString& text) {
        m_strength->assess(text, {m_session.vault().ownerName()});
        updateState();
    });
    connect(m_current, &PassphraseField::textChanged, this, &ChangePassphraseDialog::updateState);
    connect(m_repeat, &PassphraseField::textChanged, this, &ChangePassphraseDialog::updateState);
    connect(buttons, &QDialogButtonBox::accepted, this, &ChangePassphraseDialog::change);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateState();
}

void ChangePassphraseDialog::updateState()
{
    m_changeButton->setEnabled(!m_current->text().isEmpty() && m_strength->isAcceptable() &&
                               m_repeat->text() == m_passphrase->text());
}

void ChangePassphraseDialog::change()
{
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto changed = m_session.changePassphrase(m_current->text(), m_passphrase->text(), m_kdf);
    QApplication::restoreOverrideCursor();
    if (!changed) {
        m_error->setText(changed.error().code == ErrorCode::WrongPassphrase ? tr("The current passphrase is wrong.")
                                                                            : changed.error().message);
        m_error->show();
        m_current->clear();
        m_current->setFocus();
        return;
    }
    accept();
}

} // namespace countersign::ui
