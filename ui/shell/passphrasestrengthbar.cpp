#include "shell/passphrasestrengthbar.h"

#include "common/labelaccessible.h"
#include "crypto/passphrasepolicy.h"

#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>

namespace countersign::ui {

PassphraseStrengthBar::PassphraseStrengthBar(QWidget* parent)
    : QWidget(parent)
    , m_bar(new QProgressBar(this))
    , m_hint(new QLabel(this))
{
    // Before the hint's first accessibility event: an interface made then is kept, and the
    // first-run wizard builds this bar before it installs the label interfaces itself.
    installLabelAccessibility();
    m_bar->setObjectName(QStringLiteral("strengthMeter"));
    m_bar->setAccessibleName(tr("Passphrase strength"));
    m_bar->setRange(0, 4);
    m_bar->setTextVisible(false);
    m_bar->setMaximumHeight(8);
    m_hint->setObjectName(QStringLiteral("strengthHint"));
    m_hint->setAccessibleName(tr("Passphrase strength hint"));
    m_hint->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_bar);
    layout->addWidget(m_hint);
    assess(QString());
}

int PassphraseStrengthBar::score() const
{
    return m_bar->value();
}

void PassphraseStrengthBar::assess(const QString& passphrase, const QStringList& userInputs)
{
    const crypto::PassphraseAssessment result = crypto::assessPassphrase(passphrase, userInputs);
    m_acceptable = result.acceptable;
    m_bar->setValue(result.score);
    static const QStringList WORDS{tr("Very weak"), tr("Weak"), tr("Fair"), tr("Strong"), tr("Very strong")};
    const QString word = WORDS.value(result.score);
    m_hint->setText(result.acceptable ? tr("%1 (about %2 bits)").arg(word).arg(qRound(result.entropyBits))
                                      : tr("%1: %2").arg(word, result.reason));
    m_bar->setAccessibleDescription(m_hint->text());
}

} // namespace countersign::ui
