#include "plaintext.h"

#include <QChar>
#include <QList>

namespace countersign::text {

bool isDirectionControl(char32_t code)
{
    return (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069) || code == 0x200E ||
           code == 0x200F || code == 0x061C;
}

bool isInvisible(char32_t code)
{
    switch (QChar::category(code)) {
    case QChar::Other_Format:        // U+200B..U+200F, U+2060.., U+FEFF, U+00AD, tags ...
    case QChar::Separator_Line:      // U+2028: a line break a one-line field would not show as one
    case QChar::Separator_Paragraph: // U+2029
        return true;
    default:
        break;
    }
    // Letters by category, blank on screen.
    return code == 0x115F || code == 0x1160 || code == 0x3164 || code == 0xFFA0 || isDirectionControl(code);
}

bool isPlainText(QStringView text, bool allowNewlines)
{
    if (!text.isValidUtf16())
        return false; // a lone surrogate (a "\ud800" escape) is no text
    const QList<uint> codes = text.toUcs4();
    for (const uint code : codes) {
        if (allowNewlines && (code == u'\n' || code == u'\t'))
            continue;
        if (QChar::category(code) == QChar::Other_Control || isInvisible(code))
            return false;
    }
    return true;
}

} // namespace countersign::text
