#pragma once

#include "crypto/keyderivation.h"

#include <QDialog>

class QLabel;
class QPushButton;

namespace countersign::ui {

class MessageLabel;

class PassphraseField;
class PassphraseStrengthBar;
class SessionController;

/// Changes the vault's passphrase: the current one, then the new one twice. The session runs the
/// re-key.
class ChangePassphraseDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ChangePassphraseDialog(SessionController& session, QWidget* parent = nullptr);

    void setKdfParams(const crypto::KdfParams& params) { m_kdf = params; }

private:
    void updateState();
    void change();

    SessionController& m_session;
    crypto::KdfParams m_kdf;
    PassphraseField* m_current;
    PassphraseField* m_passphrase;
    PassphraseField* m_repeat;
    PassphraseStrengthBar* m_strength;
    MessageLabel* m_error;
    QPushButton* m_changeButton;
};

} // namespace countersign::ui
