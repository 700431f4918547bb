#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

namespace countersign::crypto {

/// How strong a passphrase looks, for the strength meter and for refusing weak ones.
struct PassphraseAssessment final {
    double entropyBits = 0;
    int score = 0; // 0 (very weak) .. 4 (strong), for the meter
    bool acceptable = false;
    QString reason; // why it is refused, or a hint; empty when strong
};

/// zxcvbn's estimate (libzxcvbn: dictionaries of common passwords, names and English words,
/// leet substitutions, repeats, sequences, keyboard patterns, dates), in bits of guesses.
/// \a userInputs are words an attacker would try first for this person (their name, the
/// product's name): they count as nearly free. Passphrases of at least 12 characters and
/// about 60 bits are accepted; the vault and member key files use the same rule.
[[nodiscard]] PassphraseAssessment assessPassphrase(QStringView passphrase, const QStringList& userInputs = {});

inline constexpr int MIN_PASSPHRASE_LENGTH = 12;
inline constexpr double MIN_PASSPHRASE_BITS = 60.0;

} // namespace countersign::crypto
