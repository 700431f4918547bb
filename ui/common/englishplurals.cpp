#include "common/englishplurals.h"

#include <QRegularExpression>

namespace countersign::ui {

QString EnglishPlurals::translate(const char* context, const char* sourceText, const char* disambiguation, int n) const
{
    Q_UNUSED(context)
    Q_UNUSED(disambiguation)
    if (n < 0 || !sourceText)
        return {}; // no count: the source text stands
    QString text = QString::fromUtf8(sourceText);
    if (!text.contains(QLatin1String("(s)")))
        return {};
    // English has two forms: one, and everything else (zero included). A consonant and "y"
    // takes "ies" ("entry(s)": entries), a vowel and "y" only "s" ("day(s)": days).
    static const QRegularExpression CONSONANT_Y(QStringLiteral("(?<=[^aeiouAEIOU])y\\(s\\)"));
    text.replace(CONSONANT_Y, n == 1 ? QStringLiteral("y") : QStringLiteral("ies"));
    text.replace(QLatin1String("(s)"), n == 1 ? QString() : QStringLiteral("s"));
    return text;
}

} // namespace countersign::ui
