#pragma once

#include <QString>
#include <QStringView>

namespace countersign::vault {

/// How strong a passphrase looks, for the strength meter and for refusing weak ones.
struct PassphraseAssessment final {
    double entropyBits = 0;
    int score = 0; // 0 (very weak) .. 4 (strong), for the meter
    bool acceptable = false;
    QString reason; // why it is refused, or a hint; empty when strong
};

/// A conservative estimate: character pool size per character, discounted for repeats,
/// runs (abc, 123), keyboard rows and a short list of common passwords. Passphrases of
/// at least 12 characters and about 60 bits are accepted.
[[nodiscard]] PassphraseAssessment assessPassphrase(QStringView passphrase);

inline constexpr int MIN_PASSPHRASE_LENGTH = 12;
inline constexpr double MIN_PASSPHRASE_BITS = 60.0;

} // namespace countersign::vault
