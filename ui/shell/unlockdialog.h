#pragma once

#include <QDialog>

#include <memory>

class QLabel;
class QPushButton;

namespace countersign::vault {
class Vault;
}

namespace countersign::ui {

class MessageLabel;

class PassphraseField;

/// Unlocks an existing vault. A wrong passphrase is said inline and the field is ready for
/// another try; Cancel closes without a vault.
class UnlockDialog final : public QDialog {
    Q_OBJECT
public:
    explicit UnlockDialog(QString dataDir, QWidget* parent = nullptr);
    ~UnlockDialog() override;

    [[nodiscard]] std::unique_ptr<vault::Vault> takeVault();

private:
    void unlock();

    QString m_dataDir;
    PassphraseField* m_passphrase;
    MessageLabel* m_error;
    QPushButton* m_unlockButton;
    std::unique_ptr<vault::Vault> m_vault;
};

} // namespace countersign::ui
