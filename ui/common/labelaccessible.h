#pragma once

#include <QAccessibleWidget>

class QLabel;

namespace countersign::ui {

/// What assistive technology gets from a QLabel. Qt answers a label's accessible name with
/// its fixed accessibleName when one is set, and the label's text is then nowhere: a screen
/// reader says "Decision message" and never the message. Here the name says what the label
/// is, and the text it shows is its value and description (WAI-ARIA 1.2 "status": the name
/// labels the region, the content is read out), so both reach the user. A description of the
/// label's own ("Error") goes before the text.
class LabelAccessible final : public QAccessibleWidget {
public:
    explicit LabelAccessible(QLabel* label);

    [[nodiscard]] QAccessible::Role role() const override;
    [[nodiscard]] QString text(QAccessible::Text t) const override;
    [[nodiscard]] QList<QPair<QAccessibleInterface*, QAccessible::Relation>>
    relations(QAccessible::Relation match) const override;

    /// The text \a label shows, as a reader would say it: rich text as plain text, a
    /// mnemonic's ampersand dropped.
    [[nodiscard]] static QString shownText(const QLabel* label);

private:
    [[nodiscard]] QLabel* label() const;
};

/// Lets every QLabel of this application answer through LabelAccessible, those made before
/// included. Idempotent; each top-level window calls it when it is built.
void installLabelAccessibility();

} // namespace countersign::ui
