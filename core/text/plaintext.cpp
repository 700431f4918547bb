#include "plaintext.h"

namespace countersign::text {

bool isDirectionControl(char32_t code)
{
    return (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069) || code == 0x200E ||
           code == 0x200F || code == 0x061C;
}

bool isPlainText(QStringView text, bool allowNewlines)
{
    if (!text.isValidUtf16())
        return false; // a lone surrogate (a "\ud800" escape) is no text
    for (const QChar c : text) {
        if (allowNewlines && (c == u'\n' || c == u'\t'))
            continue;
        if (c.category() == QChar::Other_Control || isDirectionControl(c.unicode()))
            return false;
    }
    return true;
}

} // namespace countersign::text
