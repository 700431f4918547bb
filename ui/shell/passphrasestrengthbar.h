#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;
class QProgressBar;

namespace countersign::ui {

/// The strength meter: a bar of four steps and the reason a passphrase would be refused.
/// It only shows core's assessment (crypto/passphrasepolicy.h); the vault enforces it.
class PassphraseStrengthBar final : public QWidget {
    Q_OBJECT
public:
    explicit PassphraseStrengthBar(QWidget* parent = nullptr);

    /// \a userInputs: words an attacker would try first (the owner's name), see assessPassphrase.
    void assess(const QString& passphrase, const QStringList& userInputs = {});
    [[nodiscard]] bool isAcceptable() const { return m_acceptable; }
    [[nodiscard]] int score() const;

private:
    QProgressBar* m_bar;
    QLabel* m_hint;
    bool m_acceptable = false;
};

} // namespace countersign::ui
