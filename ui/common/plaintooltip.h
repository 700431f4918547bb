#pragma once

#include <QString>

namespace countersign::ui {

/// \a text as a tooltip that shows exactly that text. Qt renders a tooltip as rich text when
/// Qt::mightBeRichText() guesses so, which lets a runtime's summary or a member's name carry
/// markup (images, links, hidden spans); escaped inside an explicit rich-text document it can
/// only ever show its characters. Empty stays empty (no tooltip).
[[nodiscard]] QString plainToolTip(const QString& text);

} // namespace countersign::ui
