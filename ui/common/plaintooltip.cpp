#include "common/plaintooltip.h"

namespace countersign::ui {

QString plainToolTip(const QString& text)
{
    if (text.isEmpty())
        return {};
    // <qt> makes Qt take the tooltip as rich text whatever follows; white-space: pre keeps the
    // text's own spacing and line breaks, which rich text would otherwise collapse.
    return QStringLiteral("<qt><span style=\"white-space: pre-wrap\">") + text.toHtmlEscaped() +
           QStringLiteral("</span></qt>");
}

} // namespace countersign::ui
