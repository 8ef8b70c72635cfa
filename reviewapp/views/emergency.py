"""Emergency use notices and the existing-technology inventory.

Department pages are added to the department blueprint (`submit`), the public pages to
`public`; importing this module from views/__init__ attaches them before registration.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from forms.emergency import EmergencyNoticeForm
from forms.inventory import InventoryItemForm

from .. import clock
from ..db import get_session
from ..deadlines.emergency import local_day, notice_statuses
from ..deadlines.inventory import inventory_deadline, item_statuses
from ..jurisdiction import profile
from ..models import Department, EmergencyNotice, InventoryItem, Role, TechnologyCategory
from ..permissions import can_edit, require
from ..services import emergency, inventory
from . import actor, first_errors
from .public import bp as public_bp
from .submit import bp as submit_bp

PREDICATES = {
    "can_file_notice": emergency.can_file_notice,
    "can_start_from_notice": emergency.can_start_from_notice,
    "can_list_inventory": inventory.can_list_inventory,
    "can_start_from_item": inventory.can_start_from_item,
    "can_edit": can_edit,
}


def _render(template: str, code: int = 200, **context):
    """Render with the predicates that decide which buttons show."""
    return render_template(template, **PREDICATES, **context), code


def _today():
    return local_day(clock.now(), profile())


def _or_404(model, object_id: int):
    found = get_session().get(model, object_id)
    if found is None:
        abort(404)
    return found


def _after_start(proposal):
    """Open the draft for editing (or show the proposal if it has left the department)."""
    if can_edit(actor(), proposal):
        return redirect(url_for("submit.edit", proposal_id=proposal.id))
    return redirect(url_for("public.proposal", proposal_id=proposal.id))


# --- emergency use -------------------------------------------------------------------------

@public_bp.route("/emergency")
def emergency_index():
    """Every notice of emergency use, with its deadlines and where each stands."""
    return _render("emergency/index.html",
                   statuses=notice_statuses(get_session(), profile(), clock.now()))


@public_bp.route("/emergency/<int:notice_id>")
def emergency_notice(notice_id: int):
    """One notice of emergency use, as filed, with its deadlines and answering proposals."""
    found = notice_statuses(get_session(), profile(), clock.now(), notice_id=notice_id)
    if not found:
        abort(404)
    return _render("emergency/notice.html", entry=found[0])


@submit_bp.route("/emergency/new", methods=["GET", "POST"])
def emergency_new():
    """File a notice of emergency use already begun."""
    require(emergency.can_file_notice(actor()))
    form = EmergencyNoticeForm()
    form.set_choices(TechnologyCategory.choices())
    form.latest = _today()
    if form.validate_on_submit():
        db = get_session()
        notice = emergency.file_notice(db, actor(), clock.now(), emergency.NoticeData(
            technology_name=form.technology_name.data,
            technology_category=form.technology_category.data,
            description=form.description.data, began_on=form.began_on.data,
            use_continues=form.use_continues.data == "yes"))
        db.commit()
        flash("Notice filed. It is now public.")
        return redirect(url_for("public.emergency_notice", notice_id=notice.id))
    return _render("emergency/new.html", 400 if form.errors else 200, form=form,
                   errors=first_errors(form))


@submit_bp.route("/emergency/<int:notice_id>/proposal", methods=["POST"])
def emergency_proposal(notice_id: int):
    """Start the impact report and use policy that answer a notice."""
    notice = _or_404(EmergencyNotice, notice_id)
    require(emergency.can_start_from_notice(actor(), notice))
    db = get_session()
    proposal = emergency.start_proposal(db, notice, actor(), clock.now())
    db.commit()
    return _after_start(proposal)


# --- existing-technology inventory ---------------------------------------------------------

@public_bp.route("/inventory")
def inventory_index():
    """Technology in use when the ordinance took effect, and whether each was submitted."""
    return _render("inventory/index.html",
                   statuses=item_statuses(get_session(), profile(), clock.now()),
                   due_on=inventory_deadline(profile()))


def _inventory_form() -> InventoryItemForm:
    """Build the entry form; department staff list only for their own department."""
    form = InventoryItemForm()
    user = actor()
    if user.role is Role.CLERK:
        departments = [(str(d.id), d.name) for d in get_session().scalars(
            select(Department).order_by(Department.name))]
    else:
        departments = [(str(user.department_id), user.department.name)]
        if not form.is_submitted():
            form.department.data = str(user.department_id)
    form.set_choices(departments, TechnologyCategory.choices())
    effective = profile().ordinance_effective_date
    form.latest = min(effective, _today()) if effective else _today()
    form.latest_words = form.latest.strftime("%B %-d, %Y")
    return form


@submit_bp.route("/inventory/new", methods=["GET", "POST"])
def inventory_new():
    """Add a technology in use when the ordinance took effect."""
    require(inventory.can_list_inventory(actor()))
    requested = request.form.get("department", type=int) if request.method == "POST" else None
    if requested is not None:  # permission before validation: another department is 403
        require(inventory.can_list_for(actor(), requested))
    form = _inventory_form()
    if form.validate_on_submit():
        department_id = int(form.department.data)
        require(inventory.can_list_for(actor(), department_id))
        db = get_session()
        item = inventory.list_item(db, actor(), clock.now(), inventory.ItemData(
            department_id=department_id, technology_name=form.technology_name.data,
            technology_category=form.technology_category.data,
            description=form.description.data, in_use_since=form.in_use_since.data))
        db.commit()
        flash("Added to the inventory. It is now public.")
        return redirect(url_for("public.inventory_index", _anchor=f"item-{item.id}"))
    return _render("inventory/new.html", 400 if form.errors else 200, form=form,
                   errors=first_errors(form))


@submit_bp.route("/inventory/<int:item_id>/proposal", methods=["POST"])
def inventory_proposal(item_id: int):
    """Start the proposal that submits an existing technology for approval."""
    item = _or_404(InventoryItem, item_id)
    require(inventory.can_start_from_item(actor(), item))
    db = get_session()
    proposal = inventory.start_proposal(db, item, actor(), clock.now())
    db.commit()
    return _after_start(proposal)

