"""Plain indexes instead of `db_index=True` on the record tables' text columns.

On PostgreSQL Django gave each indexed CharField a second `varchar_pattern_ops` index (for
LIKE 'prefix%'); no query of the product filters these columns by prefix, and each index
costs the importer database time on every row (docs/interchange.md, speed). Also dropped:
the single-column indexes on `event.event_type` and `participation.person`, which lead
the composite indexes `event_type_time` and `participation_person_role`. The remaining
plain indexes are rebuilt under new names (a one-off cost at migration time)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_record_versions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="event_type",
            field=models.CharField(
                choices=[
                    ("incident", "Incident"),
                    ("missing_report", "Missing Report"),
                    ("crime", "Crime"),
                    ("referral", "Referral"),
                    ("meeting", "Meeting"),
                    ("police_protection", "Police Protection"),
                    ("custody", "Custody"),
                    ("intelligence", "Intelligence"),
                    ("notification", "Notification"),
                    ("offender_visit", "Offender Visit"),
                    ("device_examination", "Device Examination"),
                ],
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="location",
            name="postcode",
            field=models.CharField(blank=True, help_text="normalised: upper case, one space", max_length=10),
        ),
        migrations.AlterField(
            model_name="location",
            name="uprn",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name="marker",
            name="marker_type",
            field=models.CharField(
                choices=[
                    ("cse_risk", "Cse Risk"),
                    ("cce_risk", "Cce Risk"),
                    ("trafficking", "Trafficking"),
                    ("drugs", "Drugs"),
                    ("alcohol", "Alcohol"),
                    ("mental_health", "Mental Health"),
                    ("self_harm", "Self Harm"),
                    ("weapons", "Weapons"),
                    ("violence", "Violence"),
                    ("registered_sex_offender", "Registered Sex Offender"),
                    ("mappa", "Mappa"),
                    ("cawn_child", "Cawn Child"),
                    ("cawn_adult", "Cawn Adult"),
                    ("missing_trigger_plan", "Missing Trigger Plan"),
                    ("other", "Other"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="order_type",
            field=models.CharField(
                choices=[
                    ("cawn", "Cawn"),
                    ("sexual_harm_prevention_order", "Sexual Harm Prevention Order"),
                    ("sexual_risk_order", "Sexual Risk Order"),
                    ("non_molestation_order", "Non Molestation Order"),
                    ("dvpo", "Dvpo"),
                    ("other", "Other"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="participation",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="participations",
                to="records.person",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="csc_id",
            field=models.CharField(blank=True, max_length=30),
        ),
        migrations.AlterField(
            model_name="person",
            name="nhs_number",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AlterField(
            model_name="person",
            name="pnc_id",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name="person",
            name="postcode",
            field=models.CharField(blank=True, help_text="current home postcode", max_length=10),
        ),
        migrations.AlterField(
            model_name="person",
            name="upn",
            field=models.CharField(blank=True, max_length=13),
        ),
        migrations.AlterField(
            model_name="plan",
            name="plan_type",
            field=models.CharField(
                choices=[
                    ("trigger_plan", "Trigger Plan"),
                    ("philomena_profile", "Philomena Profile"),
                    ("fast_action_response_plan", "Fast Action Response Plan"),
                    ("cse_plan", "Cse Plan"),
                    ("safety_plan", "Safety Plan"),
                    ("risk_management_plan", "Risk Management Plan"),
                    ("child_protection_plan", "Child Protection Plan"),
                ],
                max_length=30,
            ),
        ),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(fields=["postcode"], name="location_postcode"),
        ),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(fields=["uprn"], name="location_uprn"),
        ),
        migrations.AddIndex(
            model_name="marker",
            index=models.Index(fields=["marker_type"], name="marker_marker_type"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["order_type"], name="order_order_type"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["pnc_id"], name="person_pnc_id"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["nhs_number"], name="person_nhs_number"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["upn"], name="person_upn"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["csc_id"], name="person_csc_id"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["postcode"], name="person_postcode"),
        ),
        migrations.AddIndex(
            model_name="plan",
            index=models.Index(fields=["plan_type"], name="plan_plan_type"),
        ),
    ]
