#pragma once

#include "crypto/keyderivation.h"

#include <QDialog>

#include <memory>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

class MessageLabel;

class PassphraseField;
class PassphraseStrengthBar;

/// First run: creates the vault from the owner's name and a passphrase typed twice.
class FirstRunWizard final : public QDialog {
    Q_OBJECT
public:
    explicit FirstRunWizard(QString dataDir, QWidget* parent = nullptr);
    ~FirstRunWizard() override;

    /// Argon2id limits for the new vault (tests use cheaper ones).
    void setKdfParams(const crypto::KdfParams& params) { m_kdf = params; }
    /// The created vault, once the dialog was accepted.
    [[nodiscard]] std::unique_ptr<vault::Vault> takeVault();

private:
    void updateState();
    void create();

    QString m_dataDir;
    crypto::KdfParams m_kdf;
    QLineEdit* m_owner;
    PassphraseField* m_passphrase;
    PassphraseField* m_repeat;
    PassphraseStrengthBar* m_strength;
    MessageLabel* m_error;
    QDialogButtonBox* m_buttons;
    QPushButton* m_createButton;
    std::unique_ptr<vault::Vault> m_vault;
};

} // namespace countersign::ui
