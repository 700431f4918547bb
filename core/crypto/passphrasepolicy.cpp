#include "passphrasepolicy.h"

#include "crypto/crypto.h"

#include <zxcvbn.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace countersign::crypto {

namespace {

// ZxcTypeMatch_t flags a part seen more than once by adding this to its type.
constexpr int MULTIPLE_MATCH_FLAG = 32;

struct Estimate {
    double bits = 0;
    qsizetype userChars = 0;       // characters matched against the user's own words
    qsizetype dictionaryChars = 0; // characters matched against common passwords and words
};

Estimate estimate(const QString& text, const QStringList& userInputs)
{
    // Each word of a name on its own too: "Ada Lovelace 2026" is guessed from "Ada" and "Lovelace".
    QList<QByteArray> words{QByteArrayLiteral("countersign")};
    for (const QString& input : userInputs) {
        const QString trimmed = input.trimmed();
        if (trimmed.isEmpty())
            continue;
        words.append(trimmed.toUtf8());
        const QStringList parts = trimmed.split(u' ', Qt::SkipEmptyParts);
        if (parts.size() > 1) {
            for (const QString& part : parts)
                words.append(part.toUtf8());
        }
    }
    std::vector<const char*> dictionary;
    dictionary.reserve(static_cast<std::size_t>(words.size()) + 1);
    for (const QByteArray& word : words)
        dictionary.push_back(word.constData());
    dictionary.push_back(nullptr);

    QByteArray utf8 = text.toUtf8();
    ZxcMatch_t* info = nullptr;
    Estimate result;
    result.bits = ZxcvbnMatch(utf8.constData(), dictionary.data(), &info);
    crypto::wipe(utf8);
    const std::unique_ptr<ZxcMatch_t, void (*)(ZxcMatch_t*)> matches(info, ZxcvbnFreeInfo);
    for (const ZxcMatch_t* match = info; match; match = match->Next) {
        if ((static_cast<int>(match->Type) & MULTIPLE_MATCH_FLAG) != 0)
            continue; // one part over and over: a repeat, however common the part
        switch (static_cast<int>(match->Type)) {
        case USER_MATCH:
        case USER_LEET_MATCH:
            result.userChars += match->Length;
            break;
        case DICTIONARY_MATCH:
        case DICT_LEET_MATCH:
            result.dictionaryChars += match->Length;
            break;
        default:
            break;
        }
    }
    return result;
}

} // namespace

PassphraseAssessment assessPassphrase(QStringView passphrase, const QStringList& userInputs)
{
    PassphraseAssessment result;
    const QString text = passphrase.toString();
    const Estimate guessed = text.isEmpty() ? Estimate{} : estimate(text, userInputs);
    result.entropyBits = guessed.bits;
    result.score = result.entropyBits < 28   ? 0
                   : result.entropyBits < 45 ? 1
                   : result.entropyBits < 60 ? 2
                   : result.entropyBits < 80 ? 3
                                             : 4;
    const qsizetype bytes = text.toUtf8().size();
    if (text.isEmpty()) {
        result.reason = QStringLiteral("enter a passphrase");
    } else if (text.size() < MIN_PASSPHRASE_LENGTH) {
        result.reason = QStringLiteral("too short: use at least %1 characters").arg(MIN_PASSPHRASE_LENGTH);
    } else if (result.entropyBits >= MIN_PASSPHRASE_BITS) {
        result.acceptable = true;
    } else if (guessed.userChars > 0) {
        result.reason = QStringLiteral("too easy to guess: it is built on your name; add unrelated words");
    } else if (guessed.dictionaryChars * 2 >= bytes) {
        result.reason = QStringLiteral("too common: it is made of well-known passwords or words; add more unrelated "
                                       "words");
    } else {
        result.reason = QStringLiteral("too predictable: repeats, sequences, keyboard rows and dates add little; "
                                       "add more words");
    }
    if (!result.acceptable)
        result.score = std::min(result.score, 1);
    return result;
}

} // namespace countersign::crypto
