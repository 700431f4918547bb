#pragma once

#include <QWidget>

class QLineEdit;
class QToolButton;

namespace countersign::ui {

/// A passphrase entry: a masked line edit with a button that shows or hides what was typed.
class PassphraseField final : public QWidget {
    Q_OBJECT
public:
    explicit PassphraseField(const QString& objectName, const QString& accessibleName, QWidget* parent = nullptr);

    [[nodiscard]] QString text() const;
    /// Clears the field; Qt keeps no other copy we could wipe, so this is the best we can do.
    void clear();
    [[nodiscard]] QLineEdit* lineEdit() const { return m_edit; }

Q_SIGNALS:
    void textChanged(const QString& text);
    void returnPressed();

private:
    QLineEdit* m_edit;
    QToolButton* m_reveal;
};

} // namespace countersign::ui
