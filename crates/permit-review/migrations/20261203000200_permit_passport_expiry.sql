-- Events no longer carry the applicant: the desk asks service-center for the one field it
-- needs (the passport's expiry caps the permit's validity) and keeps it beside the case.
ALTER TABLE permits ADD COLUMN passport_expiry TEXT NOT NULL DEFAULT '';
