#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace countersign::ui {

class MessageLabel;

class PassphraseField;

/// What the window shows while locked: no request content, only how many requests wait, and
/// the passphrase field that unlocks it again.
class LockScreen final : public QWidget {
    Q_OBJECT
public:
    explicit LockScreen(QWidget* parent = nullptr);

    void setPending(int count);
    void setError(const QString& message);
    /// Clears the field and error and puts the focus in the field.
    void reset();
    [[nodiscard]] PassphraseField* passphrase() const { return m_passphrase; }

Q_SIGNALS:
    void unlockRequested(const QString& passphrase);

protected:
    void changeEvent(QEvent* event) override;

private:
    void submit();

    QLabel* m_pending;
    PassphraseField* m_passphrase;
    MessageLabel* m_error;
    QPushButton* m_unlock;
};

} // namespace countersign::ui
