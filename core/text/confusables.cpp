#include "confusables.h"

#include "plaintext.h"

#include <QChar>
#include <QList>

#include <array>
#include <utility>

namespace countersign::text {

namespace {

// Case-folded Cyrillic and Greek letters (and a few Latin variants) that render like a Latin
// letter in common fonts, after the confusables data of Unicode Technical Standard #39.
constexpr std::array<std::pair<char32_t, char16_t>, 47> LOOK_ALIKES{{
    // Cyrillic
    {0x0430, u'a'}, // а
    {0x0432, u'b'}, // в (В)
    {0x0435, u'e'}, // е
    {0x0451, u'e'}, // ё
    {0x0456, u'l'}, // і
    {0x0457, u'l'}, // ї
    {0x0458, u'j'}, // ј
    {0x043A, u'k'}, // к
    {0x043C, u'm'}, // м (М)
    {0x043D, u'h'}, // н (Н)
    {0x043E, u'o'}, // о
    {0x0440, u'p'}, // р
    {0x0441, u'c'}, // с
    {0x0442, u't'}, // т (Т)
    {0x0443, u'y'}, // у
    {0x0445, u'x'}, // х
    {0x0455, u's'}, // ѕ
    {0x0501, u'd'}, // ԁ
    {0x051B, u'q'}, // ԛ
    {0x051D, u'w'}, // ԝ
    {0x04CF, u'l'}, // ӏ
    {0x04BB, u'h'}, // һ
    {0x0261, u'g'}, // ɡ (Latin script g)
    {0x0251, u'a'}, // ɑ (Latin alpha)
    {0x0131, u'l'}, // ı (dotless i)
    {0x0237, u'j'}, // ȷ (dotless j)
    // Greek
    {0x03B1, u'a'}, // α
    {0x03B2, u'b'}, // β (Β)
    {0x03B5, u'e'}, // ε (Ε)
    {0x03B7, u'n'}, // η (Η looks like H; η like n)
    {0x03B9, u'l'}, // ι (Ι)
    {0x03BA, u'k'}, // κ (Κ)
    {0x03BD, u'v'}, // ν
    {0x03BF, u'o'}, // ο
    {0x03C1, u'p'}, // ρ (Ρ)
    {0x03C4, u't'}, // τ (Τ)
    {0x03C5, u'u'}, // υ
    {0x03C7, u'x'}, // χ (Χ)
    {0x03C9, u'w'}, // ω
    {0x03B6, u'z'}, // ζ (Ζ)
    {0x03BC, u'u'}, // μ
    {0x03F2, u'c'}, // ϲ (lunate sigma)
    {0x03F3, u'j'}, // ϳ
    // Digits and marks read as letters
    {u'0', u'o'},
    {u'1', u'l'},
    {u'|', u'l'},
    {u'i', u'l'}, // folded "I" reads as "l"
}};

char16_t lookAlike(char32_t code)
{
    for (const auto& [from, to] : LOOK_ALIKES) {
        if (from == code)
            return to;
    }
    return 0;
}

} // namespace

QString skeleton(QStringView name)
{
    // NFKC folds compatibility forms (full-width letters, ligatures, letter-like symbols), case
    // folding makes "ADA" and "ada" one name, and NFD splits accents off so they can go.
    const QString folded = name.toString().normalized(QString::NormalizationForm_KC).toCaseFolded();
    const QString decomposed = folded.normalized(QString::NormalizationForm_D);
    QString result;
    result.reserve(decomposed.size());
    for (const uint code : decomposed.toUcs4()) {
        const auto category = QChar::category(code);
        if (category == QChar::Mark_NonSpacing || category == QChar::Mark_Enclosing ||
            category == QChar::Mark_SpacingCombining || QChar::isSpace(code) || isInvisible(code))
            continue;
        if (const char16_t latin = lookAlike(code)) {
            result.append(QChar(latin));
        } else {
            const char32_t other = code;
            result.append(QString::fromUcs4(&other, 1));
        }
    }
    // Sequences that read as one letter.
    result.replace(QStringLiteral("rn"), QStringLiteral("m"));
    result.replace(QStringLiteral("vv"), QStringLiteral("w"));
    return result;
}

} // namespace countersign::text
