#include "shell/passphrasefield.h"

#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

namespace countersign::ui {

PassphraseField::PassphraseField(const QString& objectName, const QString& accessibleName, QWidget* parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_reveal(new QToolButton(this))
{
    setObjectName(objectName + QStringLiteral("Field"));
    m_edit->setObjectName(objectName);
    m_edit->setAccessibleName(accessibleName);
    m_edit->setEchoMode(QLineEdit::Password);
    m_edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhNoPredictiveText | Qt::ImhNoAutoUppercase);
    m_reveal->setObjectName(objectName + QStringLiteral("Reveal"));
    m_reveal->setText(tr("Show"));
    m_reveal->setCheckable(true);
    m_reveal->setAccessibleName(tr("Show %1").arg(accessibleName.toLower()));
    m_reveal->setFocusPolicy(Qt::TabFocus); // reachable by Tab like every other control
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_reveal);
    setFocusProxy(m_edit);
    connect(m_reveal, &QToolButton::toggled, this, [this](bool shown) {
        m_edit->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
        m_reveal->setText(shown ? tr("Hide") : tr("Show"));
    });
    connect(m_edit, &QLineEdit::textChanged, this, &PassphraseField::textChanged);
    connect(m_edit, &QLineEdit::returnPressed, this, &PassphraseField::returnPressed);
}

QString PassphraseField::text() const
{
    return m_edit->text();
}

void PassphraseField::clear()
{
    m_edit->clear();
    m_reveal->setChecked(false);
}

} // namespace countersign::ui
