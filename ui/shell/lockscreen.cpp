#include "shell/lockscreen.h"

#include "common/messagelabel.h"
#include "shell/appicon.h"
#include "shell/passphrasefield.h"

#include <QEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace countersign::ui {

LockScreen::LockScreen(QWidget* parent)
    : QWidget(parent)
    , m_pending(new QLabel(this))
    , m_passphrase(new PassphraseField(QStringLiteral("lockPassphrase"), tr("Passphrase"), this))
    , m_error(new MessageLabel(this))
    , m_unlock(new QPushButton(tr("&Unlock"), this))
{
    setObjectName(QStringLiteral("lockScreen"));
    auto* icon = new QLabel(this);
    icon->setObjectName(QStringLiteral("lockIcon"));
    icon->setPixmap(appIcon().pixmap(64, 64));
    icon->setAlignment(Qt::AlignCenter);
    auto* title = new QLabel(tr("Countersign is locked"), this);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    title->setFont(big);
    title->setAlignment(Qt::AlignCenter);
    m_pending->setObjectName(QStringLiteral("lockPending"));
    m_pending->setAccessibleName(tr("Requests waiting"));
    m_pending->setAlignment(Qt::AlignCenter);
    m_pending->setWordWrap(true);
    m_error->setTone(MessageLabel::Tone::Error); // only ever an error
    m_error->setObjectName(QStringLiteral("lockError"));
    m_error->setAccessibleName(tr("Error"));
    m_error->setAlignment(Qt::AlignCenter);
    auto* caption = new QLabel(tr("&Passphrase:"), this);
    caption->setObjectName(QStringLiteral("lockPassphraseLabel"));
    caption->setBuddy(m_passphrase->lineEdit());
    m_unlock->setObjectName(QStringLiteral("lockUnlockButton"));
    m_unlock->setAccessibleName(tr("Unlock"));
    m_unlock->setDefault(true);

    auto* column = new QVBoxLayout;
    column->addWidget(icon);
    column->addWidget(title);
    column->addWidget(m_pending);
    column->addSpacing(12);
    column->addWidget(caption);
    column->addWidget(m_passphrase);
    column->addWidget(m_unlock);
    column->addWidget(m_error);
    auto* centre = new QHBoxLayout;
    centre->addStretch();
    centre->addLayout(column);
    centre->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addStretch();
    layout->addLayout(centre);
    layout->addStretch(2);
    m_passphrase->setMinimumWidth(320);

    connect(m_unlock, &QPushButton::clicked, this, &LockScreen::submit);
    connect(m_passphrase, &PassphraseField::returnPressed, this, &LockScreen::submit);
    setPending(0);
}

void LockScreen::changeEvent(QEvent* event)
{
    // The icon is drawn for the palette: redraw it when the palette changes.
    if (event->type() == QEvent::PaletteChange) {
        if (auto* icon = findChild<QLabel*>(QStringLiteral("lockIcon")))
            icon->setPixmap(appIcon().pixmap(64, 64));
    }
    QWidget::changeEvent(event);
}

void LockScreen::setPending(int count)
{
    m_pending->setText(count == 0 ? tr("No requests are waiting. Runtimes can still ask; their requests wait here.")
                                  : tr("%n request(s) waiting for a decision.", nullptr, count));
}

void LockScreen::setError(const QString& message)
{
    m_error->setText(message);
    m_passphrase->lineEdit()->setFocus();
}

void LockScreen::reset()
{
    m_passphrase->clear();
    m_error->clear();
    m_passphrase->lineEdit()->setFocus();
}

void LockScreen::submit()
{
    const QString text = m_passphrase->text();
    m_passphrase->clear();
    if (!text.isEmpty())
        Q_EMIT unlockRequested(text);
}

} // namespace countersign::ui
