#pragma once

#include "crypto/keyderivation.h"

#include <QDialog>

class QLabel;
class QPushButton;

namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

class MessageLabel;

class PassphraseField;
class PassphraseStrengthBar;

/// Changes the vault's passphrase: the current one, then the new one twice.
class ChangePassphraseDialog final : public QDialog {
    Q_OBJECT
public:
    ChangePassphraseDialog(vault::Vault& vault, QWidget* parent = nullptr);

    void setKdfParams(const crypto::KdfParams& params) { m_kdf = params; }

Q_SIGNALS:
    /// Emitted just before the re-key: close every other connection to the vault now.
    void aboutToRekey();
    /// Emitted right after it, changed or not: connections may open again.
    void rekeyFinished(bool changed);

private:
    void updateState();
    void change();

    vault::Vault& m_vault;
    crypto::KdfParams m_kdf;
    PassphraseField* m_current;
    PassphraseField* m_passphrase;
    PassphraseField* m_repeat;
    PassphraseStrengthBar* m_strength;
    MessageLabel* m_error;
    QPushButton* m_changeButton;
};

} // namespace countersign::ui
