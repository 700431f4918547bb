#include "passphrasepolicy.h"

#include <QSet>

#include <array>
#include <cmath>

namespace countersign::vault {

namespace {

bool isCommon(const QString& lowered)
{
    static const std::array<QStringView, 24> COMMON = {
        u"password", u"passphrase", u"123456",      u"qwerty",   u"letmein",  u"welcome",  u"iloveyou", u"admin",
        u"monkey",   u"dragon",     u"master",      u"sunshine", u"princess", u"football", u"baseball", u"shadow",
        u"trustno1", u"superman",   u"countersign", u"secret",   u"changeme", u"abc123",   u"passw0rd", u"azerty",
    };
    for (QStringView word : COMMON) {
        if (lowered.contains(word) && word.size() * 2 >= lowered.size())
            return true;
    }
    return false;
}

bool isSequential(QChar a, QChar b)
{
    static const QString ROWS = QStringLiteral("qwertyuiopasdfghjklzxcvbnm1234567890");
    const qsizetype ia = ROWS.indexOf(a.toLower());
    const qsizetype ib = ROWS.indexOf(b.toLower());
    const bool keyboard = ia >= 0 && ib >= 0 && std::abs(ia - ib) == 1;
    return keyboard || std::abs(a.unicode() - b.unicode()) <= 1;
}

} // namespace

PassphraseAssessment assessPassphrase(QStringView passphrase)
{
    PassphraseAssessment result;
    const QString text = passphrase.toString();
    bool lower = false, upper = false, digit = false, symbol = false, other = false;
    for (const QChar c : text) {
        if (c.unicode() > 0x7f)
            other = true;
        else if (c.isLower())
            lower = true;
        else if (c.isUpper())
            upper = true;
        else if (c.isDigit())
            digit = true;
        else
            symbol = true;
    }
    const int pool = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (symbol ? 33 : 0) + (other ? 100 : 0);
    const double bitsPerChar = pool > 0 ? std::log2(static_cast<double>(pool)) : 0.0;

    // Characters that repeat or continue a run add little; count them at a fraction.
    double effective = 0;
    QSet<QChar> seen;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        double weight = 1.0;
        if (i > 0 && (c == text.at(i - 1) || isSequential(text.at(i - 1), c)))
            weight = 0.25;
        else if (seen.contains(c))
            weight = 0.6;
        seen.insert(c);
        effective += weight;
    }
    result.entropyBits = effective * bitsPerChar;
    const bool common = isCommon(text.toLower());
    if (common)
        result.entropyBits = std::min(result.entropyBits, 20.0);

    result.score = result.entropyBits < 28   ? 0
                   : result.entropyBits < 45 ? 1
                   : result.entropyBits < 60 ? 2
                   : result.entropyBits < 80 ? 3
                                             : 4;
    if (text.isEmpty()) {
        result.reason = QStringLiteral("enter a passphrase");
    } else if (text.size() < MIN_PASSPHRASE_LENGTH) {
        result.reason = QStringLiteral("too short: use at least %1 characters").arg(MIN_PASSPHRASE_LENGTH);
    } else if (common) {
        result.reason = QStringLiteral("too common: it is built around a well-known password");
    } else if (result.entropyBits < MIN_PASSPHRASE_BITS) {
        result.reason = QStringLiteral("too predictable: add more words or mix in other kinds of characters");
    } else {
        result.acceptable = true;
    }
    if (!result.acceptable)
        result.score = std::min(result.score, 1);
    return result;
}

} // namespace countersign::vault
