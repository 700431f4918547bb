#pragma once

#include "policy/risk.h"

#include <QColor>
#include <QIcon>
#include <QLabel>

class QPainter;
class QPalette;

namespace countersign::ui {

/// How a risk level looks wherever the app shows one: the queue, the detail header, the tray and
/// notifications all draw it from here. A badge is a colour, a shape and a word, so that nobody
/// needs to tell colours apart to read it (WCAG 2.2 SC 1.4.1, use of colour): low is a circle,
/// medium a diamond, high a triangle and critical an octagon, rising in urgency as road signs do.
///
/// As a widget it is a label whose text is the risk's name (what screen readers read), painted as
/// the badge.
class RiskBadge final : public QLabel {
    Q_OBJECT
public:
    /// A badge's fill and the colour of its word and mark on that fill.
    struct Colours {
        QColor fill;
        QColor text;
    };

    explicit RiskBadge(QWidget* parent = nullptr);

    void setRisk(policy::Risk risk);
    [[nodiscard]] policy::Risk risk() const { return m_risk; }
    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

    /// The badge colours of \a risk under \a palette (a dark window gets light badges): the text
    /// has at least 4.5:1 contrast on the fill (WCAG 2.2 SC 1.4.3).
    [[nodiscard]] static Colours colours(policy::Risk risk, const QPalette& palette);
    /// The shape of \a risk filled with its colour, at every common size: for lists, the tray and
    /// notifications.
    [[nodiscard]] static QIcon icon(policy::Risk risk, const QPalette& palette);
    /// The mark of \a risk as a badge shows it (in the word's colour, for the badge's fill), \a size
    /// pixels square at \a devicePixelRatio.
    [[nodiscard]] static QPixmap badgeMark(policy::Risk risk, const QPalette& palette, int size,
                                           qreal devicePixelRatio);
    /// The word on the badge ("critical").
    [[nodiscard]] static QString word(policy::Risk risk);
    /// What a screen reader says for the badge ("critical risk").
    [[nodiscard]] static QString accessibleText(policy::Risk risk);
    /// The size of a badge for \a risk drawn with \a font.
    [[nodiscard]] static QSize badgeSize(policy::Risk risk, const QFont& font);
    /// Draws the badge of \a risk at the left of \a rect, centred vertically, in \a font.
    static void paint(QPainter& painter, const QRect& rect, policy::Risk risk, const QPalette& palette,
                      const QFont& font);
    /// \a base with the mark of \a risk in its top left corner (the tray: the most urgent request
    /// waiting).
    [[nodiscard]] static QIcon marked(const QIcon& base, policy::Risk risk, const QPalette& palette);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    policy::Risk m_risk = policy::Risk::Low;
};

} // namespace countersign::ui
